import { describe, expect, it } from "vitest";
import { PLAYBOOKS } from "../../src/domain/playbooks";
import { assessRisk } from "../../src/domain/assess-risk";
import { arrWeight, BASELINE_RELEVANCE, recommendPlaybooks } from "../../src/domain/recommend";
import { prioritiseAccounts, recommendForPortfolio, type PortfolioAccount } from "../../src/domain/recommend-portfolio";
import {
  RISK_FACTOR_LABELS,
  type RiskFactor,
  type RiskFactorId,
  type Severity,
} from "../../src/domain/risk";
import { atRiskAccount, criticalAccount, healthyAccount, noNpsAccount } from "../insights/fixtures";

function factor(id: RiskFactorId, severity: Severity = "high"): RiskFactor {
  return {
    id,
    label: RISK_FACTOR_LABELS[id],
    kind: id === "positive_signals" ? "positive" : "risk",
    severity,
    detail: "",
    evidence: [],
  };
}

const atRisk = { arr: 100_000, health_bucket: "At-Risk" as const };

function relevanceOf(recommendations: ReturnType<typeof recommendPlaybooks>, playbookId: number): number | undefined {
  return recommendations.find((recommendation) => recommendation.playbook.id === playbookId)?.relevance_score;
}

describe("recommendPlaybooks", () => {
  it("ranks by relevance (0-1, most relevant first, ties by id) with the matching factors as readable strings", () => {
    const ranked = recommendPlaybooks(atRisk, [factor("low_adoption"), factor("low_login_frequency", "medium")]);
    for (const recommendation of ranked) {
      expect(recommendation.relevance_score).toBeGreaterThanOrEqual(0);
      expect(recommendation.relevance_score).toBeLessThanOrEqual(1);
    }
    for (let index = 1; index < ranked.length; index++) {
      const previous = ranked[index - 1];
      const current = ranked[index];
      if (!previous || !current) continue;
      expect(
        previous.relevance_score > current.relevance_score ||
          (previous.relevance_score === current.relevance_score && previous.playbook.id < current.playbook.id),
      ).toBe(true);
    }
    // User Training addresses both factors; Feature Adoption Campaign only adoption (as its main purpose).
    expect(ranked[0]?.playbook.title).toBe("User Training & Enablement");
    expect(ranked[0]?.matching_risk_factors).toEqual(["Low feature adoption", "Low login frequency"]);
    expect(ranked[0]?.reason).toBe("Addresses Low feature adoption (high), Low login frequency (medium).");
  });

  it("weighs severity: a high factor makes its playbooks more relevant than a medium one", () => {
    const high = recommendPlaybooks(atRisk, [factor("low_nps", "high")]);
    const medium = recommendPlaybooks(atRisk, [factor("low_nps", "medium")]);
    const low = recommendPlaybooks(atRisk, [factor("low_nps", "low")]);
    const nps = (ranked: typeof high) => relevanceOf(ranked, 7) ?? 0;
    expect(nps(high)).toBeGreaterThan(nps(medium));
    expect(nps(medium)).toBeGreaterThan(nps(low));
  });

  it("grows with every matching factor and stays below 1", () => {
    const one = relevanceOf(recommendPlaybooks(atRisk, [factor("low_adoption")]), 4) ?? 0;
    const two = relevanceOf(recommendPlaybooks(atRisk, [factor("low_adoption"), factor("low_login_frequency")]), 4) ?? 0;
    const three =
      relevanceOf(
        recommendPlaybooks(atRisk, [factor("low_adoption"), factor("low_login_frequency"), factor("high_support_load")]),
        4,
      ) ?? 0;
    expect(two).toBeGreaterThan(one);
    expect(three).toBeGreaterThan(two);
    expect(three).toBeLessThan(1);
  });

  it("is ARR-aware: a bigger contract raises EBR and renewal playbooks, and nothing else", () => {
    const factors = [factor("renewal_risk"), factor("declining_health"), factor("low_adoption")];
    const small = recommendPlaybooks({ arr: 20_000, health_bucket: "Critical" }, factors);
    const large = recommendPlaybooks({ arr: 2_000_000, health_bucket: "Critical" }, factors);
    for (const id of [1, 9]) expect(relevanceOf(large, id) ?? 0).toBeGreaterThan(relevanceOf(small, id) ?? 0);
    for (const id of [2, 3, 4, 5]) expect(relevanceOf(large, id)).toBe(relevanceOf(small, id));
    expect(large[0]?.reason).toContain("weighted up for $2,000,000 ARR");
    expect(arrWeight(10_000)).toBe(0);
    expect(arrWeight(100_000)).toBeCloseTo(0.5, 10);
    expect(arrWeight(5_000_000)).toBe(1);
  });

  it("gives a healthy account without any factor the proactive playbooks, never an empty list", () => {
    const ranked = recommendPlaybooks({ arr: 80_000, health_bucket: "Healthy" }, []);
    expect(ranked.map((recommendation) => recommendation.playbook.title)).toEqual([
      "Executive Business Review (EBR)",
      "Quarterly Success Planning",
      "Champion User Program",
    ]);
    expect(ranked.every((recommendation) => recommendation.relevance_score === BASELINE_RELEVANCE)).toBe(true);
    expect(ranked.every((recommendation) => recommendation.matching_risk_factors.length === 0)).toBe(true);
    expect(ranked.find((recommendation) => recommendation.playbook.id === 5)?.reason).toMatch(/^Proactive/);
  });

  it("keeps the proactive playbooks for a healthy account that has a factor to fix", () => {
    const ranked = recommendPlaybooks(noNpsAccount(), assessRisk(noNpsAccount()));
    expect(ranked[0]?.playbook.title).toBe("Data Quality Improvement");
    expect(ranked.map((recommendation) => recommendation.playbook.id)).toEqual(expect.arrayContaining([5, 6]));
  });

  it("ranks the healthy, growing account's proactive playbooks by the positive signal", () => {
    const account = healthyAccount();
    const ranked = recommendPlaybooks(account, assessRisk(account));
    expect(ranked.slice(0, 2).map((recommendation) => [recommendation.playbook.id, recommendation.matching_risk_factors])).toEqual([
      [5, ["Healthy and growing"]],
      [6, ["Healthy and growing"]],
    ]);
  });

  it("puts Renewal Risk Mitigation first for a collapsing Critical account", () => {
    const account = criticalAccount();
    const ranked = recommendPlaybooks(account, assessRisk(account));
    expect(ranked[0]?.playbook.title).toBe("Renewal Risk Mitigation");
    expect(ranked[0]?.matching_risk_factors).toEqual(["Renewal at risk", "Declining health score"]);
    expect(ranked.length).toBe(PLAYBOOKS.length - 1); // every playbook but Data Quality Improvement matches
  });

  it("fills up to 3 recommendations with general fits for the bucket", () => {
    const critical = recommendPlaybooks({ arr: 10_000, health_bucket: "Critical" }, [factor("low_nps")]);
    expect(critical.map((recommendation) => recommendation.playbook.id)).toEqual([7, 1, 9]);
    const unscored = recommendPlaybooks({ arr: 0, health_bucket: null }, [factor("data_quality")]);
    expect(unscored.map((recommendation) => recommendation.playbook.id)).toEqual([10, 8, 5]);
    expect(unscored[2]?.reason).toContain("without a health score");
  });

  it("answers the same ranking whatever the order of the factors", () => {
    const account = atRiskAccount();
    const factors = assessRisk(account);
    expect(recommendPlaybooks(account, [...factors].reverse())).toEqual(recommendPlaybooks(account, factors));
  });
});

describe("portfolio recommendations", () => {
  function portfolioAccount(
    id: number,
    arr: number,
    bucket: PortfolioAccount["health_bucket"],
    factors: RiskFactor[],
    score: number | null = 50,
  ): PortfolioAccount {
    return {
      id,
      account_name: `Account ${id}`,
      segment: "SMB",
      region: "EU",
      arr,
      health_score: score,
      health_bucket: bucket,
      risk_factors: factors,
    };
  }

  it("focuses on the accounts at risk by ARR, then lowest score, then id; healthy ones are left out", () => {
    const accounts = [
      portfolioAccount(1, 50_000, "At-Risk", [], 55),
      portfolioAccount(2, 500_000, "Healthy", [], 80),
      portfolioAccount(3, 90_000, "Critical", [], 20),
      portfolioAccount(4, 50_000, "Critical", [], 30),
      portfolioAccount(5, 50_000, "Critical", [], 30),
    ];
    expect(prioritiseAccounts(accounts).map((account) => account.id)).toEqual([3, 4, 5, 1]);
  });

  it("ranks playbooks by the ARR of the accounts they help", () => {
    const accounts = [
      portfolioAccount(1, 900_000, "At-Risk", [factor("low_adoption")]),
      portfolioAccount(2, 50_000, "At-Risk", [factor("low_login_frequency")]),
      portfolioAccount(3, 50_000, "Critical", [factor("low_login_frequency")]),
    ];
    const ranked = recommendForPortfolio(accounts);
    // User Training & Enablement has both factors as its purpose: it helps every account, the big one first.
    expect(ranked[0]).toMatchObject({
      playbook: { title: "User Training & Enablement" },
      accounts: 3,
      arr: 1_000_000,
      account_ids: [1, 2, 3],
      matching_risk_factors: ["Low login frequency", "Low feature adoption"],
    });
    const adoption = ranked.find((recommendation) => recommendation.playbook.id === 2);
    const integration = ranked.find((recommendation) => recommendation.playbook.id === 8);
    expect(adoption).toMatchObject({ accounts: 1, arr: 900_000, account_ids: [1] });
    expect(integration).toMatchObject({ accounts: 2, arr: 100_000, account_ids: [2, 3] });
    // One $900,000 account outweighs two $50,000 ones.
    expect(adoption?.relevance_score ?? 0).toBeGreaterThan(integration?.relevance_score ?? 1);
    expect(ranked.every((recommendation) => recommendation.relevance_score <= 1)).toBe(true);
  });

  it("answers nothing for accounts without factors, and ranks accounts with no ARR equally", () => {
    expect(recommendForPortfolio([portfolioAccount(1, 0, "At-Risk", [])])).toEqual([]);
    const free = recommendForPortfolio([
      portfolioAccount(1, 0, "At-Risk", [factor("low_nps")]),
      portfolioAccount(2, 0, "At-Risk", [factor("low_nps")]),
    ]);
    expect(free[0]).toMatchObject({ accounts: 2, account_ids: [1, 2] });
  });
});

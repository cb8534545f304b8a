import { describe, expect, it } from "vitest";
import { roundTo } from "../../src/domain/health";
import { findPlaybook } from "../../src/domain/playbooks";
import { riskLabels } from "../../src/domain/risk";
import { RulesProvider } from "../../src/insights/rules";
import { rulesAccountInsight } from "../../src/insights/rules-account";
import { rulesPortfolioInsight } from "../../src/insights/rules-portfolio";
import { accountInsightSchema, portfolioInsightSchema } from "../../src/insights/schema";
import {
  accountInput,
  AS_OF,
  atRiskAccount,
  criticalAccount,
  healthyAccount,
  noNpsAccount,
  portfolioInput,
  samplePortfolio,
  series,
  snapshotOf,
} from "./fixtures";

const accounts = {
  healthy: healthyAccount,
  "at-risk": atRiskAccount,
  critical: criticalAccount,
  "no NPS": noNpsAccount,
};

describe("rules account insight", () => {
  it.each(Object.entries(accounts))("the %s account gets 3 actions tied to its top recommended playbooks", (_, make) => {
    const input = accountInput(make());
    const insight = rulesAccountInsight(input);
    expect(accountInsightSchema.parse(insight)).toEqual(insight);
    expect(insight.recommended_actions).toHaveLength(3);
    expect(insight.recommended_actions.map((action) => action.playbook_id)).toEqual(
      input.recommendations.slice(0, 3).map((recommendation) => recommendation.playbook.id),
    );
    for (const action of insight.recommended_actions) {
      const playbook = findPlaybook(action.playbook_id);
      expect(playbook?.title).toBe(action.title);
      expect(action.estimated_impact).toContain(playbook?.expected_outcome);
    }
    expect(insight.risk_factors).toEqual(riskLabels(input.risk_factors));
  });

  it("quotes the account's real figures in the summary and the component points in the analysis", () => {
    const input = accountInput(atRiskAccount());
    const insight = rulesAccountInsight(input);
    const { account } = input;
    expect(insight.summary).toBe(
      `Initech Corp (Mid-Market, EU, $300,000 ARR) has a health score of ${account.health_score}/100 (At-Risk) as of ${AS_OF}, ${account.trend_30d && account.trend_30d.health_score_change < 0 ? "" : "+"}${account.trend_30d?.health_score_change.toFixed(1)} points over 30 days. Main risks: Renewal at risk, Low feature adoption and Low or falling NPS.`,
    );
    const adoption = account.health_components?.feature_adoption ?? 0;
    expect(insight.health_analysis).toContain(`feature adoption ${roundTo(adoption, 1).toFixed(1)}/25`);
    expect(insight.health_analysis).toContain(`The weakest component is feature adoption, at ${Math.round((adoption / 25) * 100)}% of its points.`);
  });

  it("prioritises actions by the severity of what they address: High for a Critical account", () => {
    const insight = rulesAccountInsight(accountInput(criticalAccount()));
    expect(insight.recommended_actions.map((action) => [action.title, action.priority])).toEqual([
      ["Renewal Risk Mitigation", "High"],
      ["Executive Business Review (EBR)", "High"],
      ["User Training & Enablement", "High"],
    ]);
    expect(insight.recommended_actions[0]?.description).toMatch(/^The account is Critical \(score [\d.]+\) with \$30,000 ARR/);
  });

  it("gives a healthy account proactive actions of low priority and no risk factor", () => {
    const insight = rulesAccountInsight(accountInput(healthyAccount()));
    expect(insight.risk_factors).toEqual([]);
    expect(insight.summary).toContain("No risk factor is raised.");
    expect(insight.recommended_actions.slice(0, 2).map((action) => [action.playbook_id, action.priority])).toEqual([
      [5, "Low"],
      [6, "Low"],
    ]);
  });

  it("explains a missing NPS in the analysis and leads with Data Quality Improvement", () => {
    const insight = rulesAccountInsight(accountInput(noNpsAccount()));
    expect(insight.health_analysis).toContain("NPS n/a");
    expect(insight.health_analysis).toContain("the other four components are scaled to 100");
    expect(insight.recommended_actions[0]).toMatchObject({ playbook_id: 10, priority: "Medium" });
  });

  it("handles a single day of data and an account without metrics", () => {
    const single = rulesAccountInsight(accountInput(snapshotOf(series(AS_OF, 1, () => ({
      daily_active_users: 30,
      feature_adoption_rate: 0.5,
      support_tickets_open: 2,
      nps_score: 20,
      login_frequency: 0.6,
      arr: 60_000,
    })))));
    expect(single.health_analysis).toContain("There is not enough history for a 30-day trend yet.");
    expect(single.recommended_actions).toHaveLength(3);

    const empty = snapshotOf([]);
    expect(empty.health_score).toBeNull();
    const insight = rulesAccountInsight(accountInput(empty));
    expect(insight.summary).toBe("Acme Corp (Mid-Market, EU, $0 ARR) has no health score yet: no metrics have been scored for it.");
    expect(insight.recommended_actions[0]).toMatchObject({ playbook_id: 10, priority: "High" });
  });

  it("is deterministic", async () => {
    const input = accountInput(criticalAccount());
    const provider = new RulesProvider();
    expect(provider.source).toBe("rules");
    expect(provider.model).toBeNull();
    expect(await provider.accountInsight(input)).toEqual(rulesAccountInsight(accountInput(criticalAccount())));
  });
});

describe("rules portfolio insight", () => {
  it("summarises the portfolio with its real figures and parses against the schema", () => {
    const input = portfolioInput(samplePortfolio());
    const insight = rulesPortfolioInsight(input);
    expect(portfolioInsightSchema.parse(insight)).toEqual(insight);
    const { portfolio } = input;
    expect(portfolio.total_accounts).toBe(5);
    expect(insight.summary).toContain(`5 accounts with $${portfolio.total_arr.toLocaleString("en-US")} ARR`);
    expect(insight.summary).toContain(`average health score of ${portfolio.avg_health_score} as of ${AS_OF}`);
    expect(insight.summary).toContain(`putting $${portfolio.arr_at_risk.toLocaleString("en-US")} ARR`);
    expect(insight.key_findings[0]).toBe(
      `${portfolio.risk_breakdown.Critical}% of scored accounts are Critical ($30,000 ARR), ${portfolio.risk_breakdown["At-Risk"]}% At-Risk ($1,200,000) and ${portfolio.risk_breakdown.Healthy}% Healthy ($1,400,000).`,
    );
  });

  it("names the accounts at risk by ARR with their risk factors", () => {
    const insight = rulesPortfolioInsight(portfolioInput(samplePortfolio()));
    expect(insight.top_risks[0]).toMatch(/^Stark Industries \(Enterprise, At-Risk, score [\d.]+, \$900,000 ARR\): /);
    expect(insight.top_risks[1]).toMatch(/^Initech Corp \(Mid-Market, At-Risk, score [\d.]+, \$300,000 ARR\): Renewal at risk, Low feature adoption and Low or falling NPS\.$/);
    expect(insight.top_risks[2]).toMatch(/^Umbrella Inc \(SMB, Critical/);
    expect(insight.opportunities[0]).toMatch(/^1 healthy account is growing \(\$1,250,000 ARR\), led by Globex Inc/);
  });

  it("honours focus areas: each gets a finding first, and the accounts in focus lead the risks", () => {
    const input = portfolioInput(samplePortfolio(), { focus_areas: ["adoption", "SMB", "blockchain"] });
    const insight = rulesPortfolioInsight(input);
    const adopters = input.portfolio.accounts_at_risk.filter((account) =>
      account.risk_factors.some((factor) => factor.id === "low_adoption"),
    );
    expect(insight.key_findings[0]).toBe(
      `Focus "adoption": Low feature adoption affects ${adopters.length} of the 3 accounts at risk ($${adopters.reduce((total, account) => total + account.arr, 0).toLocaleString("en-US")} ARR): ${adopters.map((account) => account.account_name).join(" and ")}.`,
    );
    expect(insight.key_findings[1]).toMatch(/^Focus "SMB": 1 SMB account with \$30,000 ARR and an average health of [\d.]+; 1 of them at risk \(\$30,000 ARR\)\.$/);
    expect(insight.key_findings[2]).toBe('Focus "blockchain": no figure of the portfolio data speaks to this area.');
    // Umbrella (SMB, low adoption) and Initech (low adoption) move ahead of the bigger Stark Industries.
    expect(insight.top_risks[0]).toMatch(/^Initech Corp/);
    expect(insight.top_risks[1]).toMatch(/^Umbrella Inc/);
    expect(insight.top_risks[2]).toMatch(/^Stark Industries/);
  });

  it("puts the opportunities in focus first: churn leads with the ARR at risk", () => {
    const plain = rulesPortfolioInsight(portfolioInput(samplePortfolio()));
    const churn = rulesPortfolioInsight(portfolioInput(samplePortfolio(), { focus_areas: ["churn"] }));
    expect(plain.opportunities[0]).toMatch(/growing/);
    expect(churn.opportunities[0]).toMatch(/^Bringing the 3 accounts at risk back to Healthy would protect/);
    expect(churn.key_findings[0]).toMatch(/^Focus "churn": 3 accounts are At-Risk or Critical/);
  });

  it("counts every account at risk when only the biggest were loaded, and says the factors cover those", () => {
    const input = portfolioInput(samplePortfolio(), { focus_areas: ["churn", "adoption"] });
    const loaded = input.portfolio.accounts_at_risk.length;
    const partial = { ...input, portfolio: { ...input.portfolio, at_risk_accounts: 1200 } };
    const insight = rulesPortfolioInsight(partial);
    expect(insight.key_findings[0]).toMatch(/^Focus "churn": 1,200 accounts are At-Risk or Critical/);
    expect(insight.key_findings[1]).toContain(`of the ${loaded} largest of the 1,200 accounts at risk`);
    expect(insight.opportunities).toContainEqual(expect.stringMatching(/^Bringing the 1,200 accounts at risk back to Healthy/));
  });

  it("adds the playbooks for the accounts at risk when recommendations are asked for", () => {
    const without = rulesPortfolioInsight(portfolioInput(samplePortfolio()));
    const input = portfolioInput(samplePortfolio(), { include_recommendations: true });
    const insight = rulesPortfolioInsight(input);
    const titles = input.recommendations.slice(0, 3).map((recommendation) => recommendation.playbook.title);
    expect(titles).toHaveLength(3);
    for (const title of titles) {
      expect(insight.opportunities.some((opportunity) => opportunity.startsWith(`${title} addresses`))).toBe(true);
      expect(without.opportunities.some((opportunity) => opportunity.startsWith(`${title} addresses`))).toBe(false);
    }
  });

  it("answers an empty portfolio without dividing by zero", () => {
    const insight = rulesPortfolioInsight(portfolioInput([]));
    expect(portfolioInsightSchema.parse(insight)).toEqual(insight);
    expect(insight.summary).toContain("no accounts yet");
  });
});

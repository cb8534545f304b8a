import { describe, expect, it } from "vitest";
import { assessRisk } from "../../src/domain/assess-risk";
import { recommendPlaybooks, RENEWAL_PLAYBOOK_ID } from "../../src/domain/recommend";
import type { AccountSnapshot, RiskFactor } from "../../src/domain/risk";
import { rulesAccountInsight } from "../../src/insights/rules-account";
import { addDays } from "../helpers/factories";
import { accountInput, AS_OF, atRiskAccount, criticalAccount, healthyAccount } from "../insights/fixtures";

/**
 * A known renewal date in the risk model: within 90 days of the data's latest date (the snapshot's `as_of`, not
 * today) on an account that is not Healthy, it is a high-severity renewal risk, ranks the Renewal Risk Mitigation
 * playbook first and is named in the account insight.
 */

const renewal = (factors: RiskFactor[]) => factors.find((factor) => factor.id === "renewal_risk");

/** At-Risk with $100k ARR and steady ARR: none of the proxies (Critical, At-Risk >= $250k, contraction) applies. */
function smallAtRisk(overrides: Partial<AccountSnapshot> = {}): AccountSnapshot {
  const base = atRiskAccount();
  return { ...base, arr: 100_000, trend_90d: base.trend_90d && { ...base.trend_90d, arr_change: 0 }, ...overrides };
}

describe("the renewal-at-risk factor with a renewal date", () => {
  it("is high severity within 90 days of the data's latest date, its evidence naming the date and the days left", () => {
    const account = smallAtRisk({ renewal_date: addDays(AS_OF, 43) });
    expect(account.health_bucket).toBe("At-Risk");
    const factor = renewal(assessRisk(account));
    expect(factor?.severity).toBe("high");
    expect(factor?.evidence).toEqual(
      expect.arrayContaining([
        { metric: "renewal_date", value: "2026-12-13", threshold: null },
        { metric: "days_to_renewal", value: 43, threshold: 90 },
      ]),
    );
    expect(factor?.detail).toContain("2026-12-13");
    expect(factor?.detail).toContain("43 days");
    expect(factor?.detail).toContain(AS_OF);
  });

  it.each([
    [0, true],
    [90, true],
    [91, false],
    [-1, false],
  ])("at %i days from the data's latest date: raised %s", (days, raised) => {
    const factor = renewal(assessRisk(smallAtRisk({ renewal_date: addDays(AS_OF, days) })));
    expect(factor !== undefined).toBe(raised);
    if (raised) expect(factor?.severity).toBe("high");
  });

  it("counts the days from the data's latest date, not from today", () => {
    // Data of 2024: a renewal 30 days after its latest date is imminent for the data, whatever today is.
    const historical = smallAtRisk({ as_of: "2024-03-31", latest_metric_date: "2024-03-31", renewal_date: "2024-04-30" });
    expect(renewal(assessRisk(historical))?.evidence).toContainEqual({
      metric: "days_to_renewal",
      value: 30,
      threshold: 90,
    });
  });

  it("is not raised by a near renewal of a Healthy account", () => {
    const account = { ...healthyAccount(), renewal_date: addDays(AS_OF, 10) };
    expect(account.health_bucket).toBe("Healthy");
    expect(renewal(assessRisk(account))).toBeUndefined();
  });

  it("leaves the proxies to judge a renewal further away: a Critical account stays a high renewal risk", () => {
    const account = { ...criticalAccount(), renewal_date: addDays(AS_OF, 200) };
    const factor = renewal(assessRisk(account));
    expect(factor?.severity).toBe("high");
    expect(factor?.evidence.map((item) => item.metric)).not.toContain("days_to_renewal");
  });
});

describe("recommendations with a near renewal", () => {
  it("rank Renewal Risk Mitigation first at relevance 1, saying why", () => {
    for (const base of [smallAtRisk(), atRiskAccount(), criticalAccount()]) {
      const account = { ...base, renewal_date: addDays(AS_OF, 20) };
      const [first, second] = recommendPlaybooks(account, assessRisk(account));
      expect(first?.playbook.id, base.account_name).toBe(RENEWAL_PLAYBOOK_ID);
      expect(first?.relevance_score).toBe(1);
      expect(first?.reason).toContain(`the renewal on ${addDays(AS_OF, 20)} is 20 days away`);
      expect(second?.relevance_score).toBeLessThanOrEqual(1);
    }
  });

  it("rank it by its score alone without a near renewal", () => {
    const account = { ...atRiskAccount(), renewal_date: addDays(AS_OF, 120) };
    const renewalPlaybook = recommendPlaybooks(account, assessRisk(account)).find(
      (recommendation) => recommendation.playbook.id === RENEWAL_PLAYBOOK_ID,
    );
    expect(renewalPlaybook?.relevance_score).toBeLessThan(1);
    expect(renewalPlaybook?.reason).not.toContain("Ranked first");
  });
});

describe("the rule-based account insight", () => {
  it("names the renewal date, the days left and the owner", () => {
    const account = { ...atRiskAccount(), renewal_date: addDays(AS_OF, 43), owner: "Dana Scully" };
    const insight = rulesAccountInsight(accountInput(account));
    expect(insight.summary).toContain("owner Dana Scully");
    expect(insight.summary).toContain(`It renews on 2026-12-13, 43 days after the data's latest date (${AS_OF}).`);
    expect(insight.recommended_actions[0]?.playbook_id).toBe(RENEWAL_PLAYBOOK_ID);
  });

  it("says when the renewal date on record has passed", () => {
    const account = { ...atRiskAccount(), renewal_date: addDays(AS_OF, -5) };
    expect(rulesAccountInsight(accountInput(account)).summary).toContain("is 5 days before the data's latest date");
  });

  it("says nothing of a renewal it does not know", () => {
    const insight = rulesAccountInsight(accountInput(atRiskAccount()));
    expect(insight.summary).not.toMatch(/renews on|renewal date/i);
  });
});

import { SELF } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import type { Problem } from "../../src/contract/problems";
import type { RecommendationsResponse } from "../../src/contract/actions";
import { CRITICAL_NO_NPS, HEALTHY_GROWING, seedSampleAccounts, SLIPPING } from "../helpers/csv";
import { resetDatabase } from "../helpers/db";

function recommend(query: string) {
  return SELF.fetch(`http://example.com/actions/recommend${query}`, { method: "POST" });
}

describe("POST /actions/recommend", () => {
  let ids: Record<string, number>;
  beforeEach(async () => {
    await resetDatabase();
    ids = await seedSampleAccounts();
  });

  it("gives a healthy, growing account the proactive playbooks rather than an empty list", async () => {
    const response = await recommend(`?account_id=${ids[HEALTHY_GROWING.name]}`);
    expect(response.status).toBe(200);
    const body = await response.json<RecommendationsResponse>();
    expect(body).toMatchObject({ account_id: ids[HEALTHY_GROWING.name], account_name: HEALTHY_GROWING.name, health_bucket: "Healthy" });
    const playbookIds = body.recommendations.map((recommendation) => recommendation.playbook.id);
    expect(playbookIds).toEqual(expect.arrayContaining([5, 6]));
    expect(body.risk_factors.map((factor) => factor.id)).toEqual(["positive_signals"]);
    expect(body.recommendations[0]?.matching_risk_factor_ids).toContain("positive_signals");
  });

  it("ranks the playbooks that address an at-risk account's factors first, each tied to those factors", async () => {
    const body = await (await recommend(`?account_id=${ids[SLIPPING.name]}`)).json<RecommendationsResponse>();
    expect(body.health_bucket).not.toBe("Healthy");
    const labels = body.risk_factors.filter((factor) => factor.kind === "risk").map((factor) => factor.label);
    expect(labels.length).toBeGreaterThan(0);
    const scores = body.recommendations.map((recommendation) => recommendation.relevance_score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    for (const score of scores) {
      expect(score).toBeGreaterThanOrEqual(0);
      expect(score).toBeLessThanOrEqual(1);
    }
    const first = body.recommendations[0];
    expect(first?.matching_risk_factors.length).toBeGreaterThan(0);
    for (const recommendation of body.recommendations) {
      for (const label of recommendation.matching_risk_factors) expect(labels).toContain(label);
      expect(recommendation.playbook.risk_factor_ids).toEqual(expect.arrayContaining(recommendation.matching_risk_factor_ids));
    }
    for (const factor of body.risk_factors) expect(factor.evidence.length).toBeGreaterThan(0);
  });

  it("flags missing NPS as a data-quality risk and recommends the Data Quality Improvement playbook", async () => {
    const body = await (await recommend(`?account_id=${ids[CRITICAL_NO_NPS.name]}`)).json<RecommendationsResponse>();
    expect(body.health_bucket).toBe("Critical");
    const dataQuality = body.risk_factors.find((factor) => factor.id === "data_quality");
    expect(dataQuality?.evidence).toContainEqual(expect.objectContaining({ metric: "nps_source" }));
    const dataQualityPlaybook = body.recommendations.find((recommendation) => recommendation.playbook.id === 10);
    expect(dataQualityPlaybook?.matching_risk_factor_ids).toContain("data_quality");
    expect(body.recommendations[0]?.playbook.id).toBe(9);
  });

  it("answers 404 for an unknown account and 400 naming account_id when it is missing or not a positive whole number", async () => {
    const unknown = await recommend("?account_id=999999");
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-type")).toBe("application/problem+json");
    expect(await unknown.json()).toMatchObject({ status: 404, detail: "No account has id 999999." });

    for (const query of ["", "?account_id=", "?account_id=abc", "?account_id=0", "?account_id=-3", "?account_id=1.5"]) {
      const response = await recommend(query);
      expect(response.status, query).toBe(400);
      const body = await response.json<Problem>();
      expect(body.errors?.map((error) => error.field), query).toEqual(["account_id"]);
    }
  });
});

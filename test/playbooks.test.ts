import { SELF } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { RISK_FACTOR_IDS } from "../src/domain/risk";
import { resetDatabase } from "./helpers/db";
import { CRITICAL_NO_NPS, HEALTHY_GROWING, seedSampleAccounts, SLIPPING } from "./helpers/csv";

interface PlaybookBody {
  id: number;
  title: string;
  risk_factors: string[];
  risk_factor_ids: string[];
  [field: string]: unknown;
}

interface RecommendationsBody {
  account_id: number;
  account_name: string;
  health_bucket: string | null;
  recommendations: {
    playbook: PlaybookBody;
    relevance_score: number;
    matching_risk_factors: string[];
    matching_risk_factor_ids: string[];
    reason: string;
  }[];
  risk_factors: { id: string; label: string; kind: string; severity: string; evidence: { metric: string }[] }[];
}

const ORIGINAL_TITLES = [
  "Executive Business Review (EBR)",
  "Feature Adoption Campaign",
  "Technical Health Check",
  "User Training & Enablement",
  "Quarterly Success Planning",
  "Champion User Program",
  "NPS Recovery Plan",
  "Integration Optimization",
  "Renewal Risk Mitigation",
  "Data Quality Improvement",
];

function recommend(query: string) {
  return SELF.fetch(`http://example.com/actions/recommend${query}`, { method: "POST" });
}

describe("GET /playbooks", () => {
  it("answers the 10 playbooks as a JSON array, ids 1-10 in the original's order, with the original's fields", async () => {
    const response = await SELF.fetch("http://example.com/playbooks");
    expect(response.status).toBe(200);
    const playbooks = await response.json<PlaybookBody[]>();
    expect(playbooks.map((playbook) => playbook.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(playbooks.map((playbook) => playbook.title)).toEqual(ORIGINAL_TITLES);
    for (const playbook of playbooks) {
      expect(playbook).toEqual(
        expect.objectContaining({
          description: expect.any(String),
          category: expect.any(String),
          priority: expect.stringMatching(/^(High|Medium|Low)$/),
          estimated_effort: expect.any(String),
          slug: expect.any(String),
          owner_role: expect.any(String),
          duration_days: expect.any(Number),
          expected_outcome: expect.any(String),
        }),
      );
      expect((playbook.steps as string[]).length).toBeGreaterThan(0);
      expect(playbook.risk_factors.length).toBe(playbook.risk_factor_ids.length);
    }
    const reached = new Set(playbooks.flatMap((playbook) => playbook.risk_factor_ids));
    expect([...reached].sort()).toEqual([...RISK_FACTOR_IDS].sort());
  });
});

describe("POST /actions/recommend", () => {
  let ids: Record<string, number>;
  beforeEach(async () => {
    await resetDatabase();
    ids = await seedSampleAccounts();
  });

  it("gives a healthy, growing account the proactive playbooks rather than an empty list", async () => {
    const response = await recommend(`?account_id=${ids[HEALTHY_GROWING.name]}`);
    expect(response.status).toBe(200);
    const body = await response.json<RecommendationsBody>();
    expect(body).toMatchObject({ account_id: ids[HEALTHY_GROWING.name], account_name: HEALTHY_GROWING.name, health_bucket: "Healthy" });
    const playbookIds = body.recommendations.map((recommendation) => recommendation.playbook.id);
    expect(playbookIds).toEqual(expect.arrayContaining([5, 6]));
    expect(body.risk_factors.map((factor) => factor.id)).toEqual(["positive_signals"]);
    expect(body.recommendations[0]?.matching_risk_factor_ids).toContain("positive_signals");
  });

  it("ranks the playbooks that address an at-risk account's factors first, each tied to those factors", async () => {
    const body = await (await recommend(`?account_id=${ids[SLIPPING.name]}`)).json<RecommendationsBody>();
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
    const body = await (await recommend(`?account_id=${ids[CRITICAL_NO_NPS.name]}`)).json<RecommendationsBody>();
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
      const body = await response.json<{ errors: { field: string }[] }>();
      expect(body.errors.map((error) => error.field), query).toEqual(["account_id"]);
    }
  });
});

import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { RISK_FACTOR_IDS } from "../../src/domain/risk";
import type { Playbook } from "../../src/contract/playbooks";

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

describe("GET /playbooks", () => {
  it("answers the 10 playbooks as a JSON array, ids 1-10 in the original's order, with the original's fields", async () => {
    const response = await SELF.fetch("http://example.com/playbooks");
    expect(response.status).toBe(200);
    const playbooks = await response.json<Playbook[]>();
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
      expect(playbook.steps.length).toBeGreaterThan(0);
      expect(playbook.risk_factors.length).toBe(playbook.risk_factor_ids.length);
    }
    const reached = new Set(playbooks.flatMap((playbook) => playbook.risk_factor_ids));
    expect([...reached].sort()).toEqual([...RISK_FACTOR_IDS].sort());
  });
});

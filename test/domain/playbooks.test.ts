import { describe, expect, it } from "vitest";
import { findPlaybook, PLAYBOOK_PRIORITIES, PLAYBOOKS } from "../../src/domain/playbooks";
import { recommendPlaybooks } from "../../src/domain/recommend";
import { RISK_FACTOR_IDS, RISK_FACTOR_LABELS, type RiskFactor, type RiskFactorId } from "../../src/domain/risk";

function factor(id: RiskFactorId): RiskFactor {
  return {
    id,
    label: RISK_FACTOR_LABELS[id],
    kind: id === "positive_signals" ? "positive" : "risk",
    severity: "high",
    detail: "",
    evidence: [],
  };
}

describe("the playbook library", () => {
  it("holds the 10 playbooks of the original, ids 1-10 in its order", () => {
    expect(PLAYBOOKS.map((playbook) => [playbook.id, playbook.title])).toEqual([
      [1, "Executive Business Review (EBR)"],
      [2, "Feature Adoption Campaign"],
      [3, "Technical Health Check"],
      [4, "User Training & Enablement"],
      [5, "Quarterly Success Planning"],
      [6, "Champion User Program"],
      [7, "NPS Recovery Plan"],
      [8, "Integration Optimization"],
      [9, "Renewal Risk Mitigation"],
      [10, "Data Quality Improvement"],
    ]);
  });

  it("gives every playbook the original's fields, filled, and ours beside them", () => {
    for (const playbook of PLAYBOOKS) {
      expect(Object.keys(playbook).slice(0, 8)).toEqual([
        "id",
        "title",
        "description",
        "category",
        "priority",
        "estimated_effort",
        "risk_factors",
        "steps",
      ]);
      expect(playbook.description.length).toBeGreaterThan(40);
      expect(playbook.category).not.toBe("");
      expect(PLAYBOOK_PRIORITIES).toContain(playbook.priority);
      expect(playbook.estimated_effort).toMatch(/^\d+(-\d+)? weeks?$/);
      expect(playbook.steps.length).toBeGreaterThanOrEqual(3);
      expect(playbook.slug).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(playbook.owner_role).not.toBe("");
      expect(Number.isInteger(playbook.duration_days) && playbook.duration_days > 0).toBe(true);
      expect(playbook.expected_outcome).not.toBe("");
    }
    expect(new Set(PLAYBOOKS.map((playbook) => playbook.slug)).size).toBe(10);
  });

  it("lists as readable risk factors exactly the labels of the factor ids it addresses", () => {
    for (const playbook of PLAYBOOKS) {
      expect(playbook.risk_factor_ids.length).toBeGreaterThan(0);
      expect(playbook.risk_factors).toEqual(playbook.risk_factor_ids.map((id) => RISK_FACTOR_LABELS[id]));
    }
  });

  it("maps every risk factor to at least one playbook", () => {
    for (const id of RISK_FACTOR_IDS) {
      const addressing = PLAYBOOKS.filter((playbook) => playbook.risk_factor_ids.includes(id));
      expect(addressing.length, id).toBeGreaterThan(0);
    }
  });

  it("makes every playbook reachable: a single factor puts it first in an account's recommendations", () => {
    const reached = new Set<number>();
    for (const id of RISK_FACTOR_IDS) {
      const bucket = id === "positive_signals" ? "Healthy" : "At-Risk";
      for (const recommendation of recommendPlaybooks({ arr: 100_000, health_bucket: bucket }, [factor(id)])) {
        if (recommendation.matching_risk_factor_ids.includes(id)) reached.add(recommendation.playbook.id);
      }
    }
    expect([...reached].sort((a, b) => a - b)).toEqual(PLAYBOOKS.map((playbook) => playbook.id));

    // And each playbook's main purpose ranks it first among the others that share that factor only as a side.
    for (const playbook of PLAYBOOKS) {
      const primary = playbook.risk_factor_ids[0];
      if (!primary) throw new Error(`${playbook.title} addresses nothing`);
      const ranked = recommendPlaybooks({ arr: 100_000, health_bucket: "At-Risk" }, [factor(primary)]);
      const position = ranked.findIndex((recommendation) => recommendation.playbook.id === playbook.id);
      expect(position, playbook.title).toBeGreaterThanOrEqual(0);
      const above = ranked.slice(0, position);
      expect(above.every((other) => other.playbook.risk_factor_ids[0] === primary), playbook.title).toBe(true);
    }
  });

  it("finds a playbook by id and nothing outside 1-10", () => {
    expect(findPlaybook(7)?.slug).toBe("nps-recovery-plan");
    expect(findPlaybook(0)).toBeUndefined();
    expect(findPlaybook(11)).toBeUndefined();
  });
});

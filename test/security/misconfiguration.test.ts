import { describe, expect, it } from "vitest";
import type { Problem } from "../../src/contract/problems";
import type { Liveness } from "../../src/contract/root";
import { fetchWith } from "../helpers/worker";

/*
 * A malformed variable is an operator's problem to fix, so every route says which one and why (503 misconfigured),
 * and the health check lists them; neither ever shows the value, which may be a secret.
 */

const RAW_KEY = "ask_9yJtq3xZpL2mVw8nB4cR6dF1gH5kS7aE";

describe("a malformed configuration", () => {
  it.each([
    ["HEALTH_WINDOW_DAYS", "abc", "a whole number of days from 1 to 90"],
    ["API_KEYS", RAW_KEY, "entries of <scope>:<name>:<SHA-256 digest>"],
  ])("%s: every route answers 503 misconfigured naming the variable and its rule, never the value", async (name, value, rule) => {
    for (const path of ["/accounts", "/openapi.json", "/portfolio/summary"]) {
      const response = await fetchWith({ [name]: value }, path);
      expect(response.status).toBe(503);
      expect(response.headers.get("content-type")).toContain("application/problem+json");
      const problem = await response.json<Problem>();
      expect(problem.type).toBe("https://ai-success-insights.dev/problems/misconfigured");
      expect(problem.detail).toContain(`${name} must be ${rule}`);
      expect(problem.detail).not.toContain(value);
    }
  });

  it("GET /healthz reports the configuration invalid, with the variables and rules, and answers 503", async () => {
    const response = await fetchWith({ HEALTH_WINDOW_DAYS: "abc", API_KEYS: RAW_KEY }, "/healthz");
    expect(response.status).toBe(503);
    const body = await response.json<Liveness>();
    expect(body).toMatchObject({ status: "degraded", database: "ok", configuration: "invalid" });
    expect(body.configuration_problems?.map((problem) => problem.variable).sort()).toEqual(["API_KEYS", "HEALTH_WINDOW_DAYS"]);
    expect(JSON.stringify(body)).not.toContain(RAW_KEY);
  });

  it("a valid configuration: GET /healthz says ok", async () => {
    const response = await fetchWith({}, "/healthz");
    expect(response.status).toBe(200);
    expect(await response.json<Liveness>()).toMatchObject({ status: "ok", database: "ok", configuration: "ok" });
  });
});

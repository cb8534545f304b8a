import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Problem } from "../../src/contract/problems";
import type { ServiceInfo } from "../../src/contract/root";

describe("service routes", () => {
  it("GET / names the service and links the docs", async () => {
    const response = await SELF.fetch("http://example.com/");
    expect(response.status).toBe(200);
    const body = await response.json<ServiceInfo>();
    expect(body.service).toBe("AI Success Insights API");
    expect(body.docs.swagger_ui).toBe("/docs");
  });

  it("GET /healthz reports D1 reachable", async () => {
    const response = await SELF.fetch("http://example.com/healthz");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: "ok", database: "ok" });
  });

  it("an unknown route answers 404 problem+json with a request id", async () => {
    const response = await SELF.fetch("http://example.com/nope");
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toContain("application/problem+json");
    const body = await response.json<Problem>();
    expect(body.status).toBe(404);
    expect(body.request_id).toBe(response.headers.get("x-request-id"));
    expect(body.detail).toContain("/nope");
  });
});

import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";

interface Operation {
  summary?: string;
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
}

const ROUTES: [method: string, path: string, errors: string[]][] = [
  ["get", "/", []],
  ["get", "/healthz", []],
  ["post", "/ingest/csv", ["400", "415"]],
  ["get", "/accounts", ["400"]],
  ["get", "/accounts/{id}", ["400", "404"]],
  ["post", "/health/recompute", ["400"]],
  ["get", "/health/recompute/jobs/{id}", ["400", "404"]],
  ["get", "/portfolio/summary", []],
  ["get", "/playbooks", []],
  ["post", "/actions/recommend", ["400", "404"]],
  ["post", "/insights/account/{id}", ["400", "404"]],
  ["post", "/insights/portfolio", ["400"]],
];

async function fetchDocument(): Promise<OpenApiDocument> {
  const response = await SELF.fetch("http://example.com/openapi.json");
  expect(response.status).toBe(200);
  return response.json<OpenApiDocument>();
}

describe("OpenAPI document", () => {
  it("lists every route with a summary, a JSON success schema and problem+json errors", async () => {
    const document = await fetchDocument();
    expect(document.openapi).toMatch(/^3\./);
    for (const [method, path, errors] of ROUTES) {
      const operation = document.paths[path]?.[method];
      expect(operation, `${method.toUpperCase()} ${path}`).toBeDefined();
      expect(operation!.summary, `${method} ${path} summary`).toBeTruthy();
      expect(operation!.responses["200"]?.content?.["application/json"]?.schema, `${method} ${path} 200`).toBeDefined();
      for (const status of [...errors, "500"]) {
        const problem = operation!.responses[status]?.content?.["application/problem+json"]?.schema;
        expect(problem, `${method} ${path} ${status}`).toEqual({ $ref: "#/components/schemas/Problem" });
      }
    }
  });

  it("describes the CSV upload as a multipart file field and as a raw text/csv body", async () => {
    const document = await fetchDocument();
    const content = document.paths["/ingest/csv"]!.post!.requestBody!.content;
    expect(Object.keys(content)).toEqual(expect.arrayContaining(["multipart/form-data", "text/csv"]));
    expect(JSON.stringify(content["multipart/form-data"])).toContain("binary");
  });

  it("documents the list filters as query parameters", async () => {
    const document = await fetchDocument();
    const names = document.paths["/accounts"]!.get!.parameters!.map((parameter) => parameter.name);
    expect(names).toEqual(
      expect.arrayContaining(["page", "page_size", "segment", "region", "bucket", "search", "min_health", "max_health", "sort", "order"]),
    );
  });

  it("documents the insight sources as a union, the optional portfolio body and the refresh flag", async () => {
    const document = await fetchDocument();
    expect(document.components.schemas.InsightSource).toMatchObject({ enum: ["workers-ai", "openai", "rules"] });
    const portfolio = document.paths["/insights/portfolio"]!.post! as Operation & { requestBody: { required?: boolean } };
    expect(portfolio.requestBody.required).not.toBe(true);
    expect(Object.keys(portfolio.requestBody.content)).toEqual(["application/json"]);
    for (const path of ["/insights/portfolio", "/insights/account/{id}"]) {
      const names = document.paths[path]!.post!.parameters!.map((parameter) => parameter.name);
      expect(names, path).toContain("refresh");
    }
    const recommend = document.paths["/actions/recommend"]!.post!.parameters!;
    expect(recommend).toContainEqual(expect.objectContaining({ name: "account_id", in: "query", required: true }));
  });

  it("serves Swagger UI at /docs and ReDoc at /redoc, both pointing at the document", async () => {
    for (const path of ["/docs", "/redoc"]) {
      const response = await SELF.fetch(`http://example.com${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toContain("text/html");
      expect(await response.text()).toContain("/openapi.json");
    }
  });
});

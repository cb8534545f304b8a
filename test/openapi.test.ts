import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";

interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  security?: Record<string, string[]>[];
  parameters?: { name?: string; in?: string; $ref?: string }[];
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, { content?: Record<string, { schema?: unknown }>; headers?: Record<string, unknown> }>;
}
interface OpenApiDocument {
  openapi: string;
  info: { license?: { name: string } };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; parameters: Record<string, { name: string; in: string }> };
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

const METHODS = ["get", "post", "put", "patch", "delete"];

function operationsOf(document: OpenApiDocument): [label: string, operation: Operation][] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => [`${method.toUpperCase()} ${path}`, item[method]!] as [string, Operation]),
  );
}

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

  it("gives every operation a unique camelCase verb-noun operationId, a summary and a description", async () => {
    const operations = operationsOf(await fetchDocument());
    expect(operations.length).toBeGreaterThanOrEqual(ROUTES.length);
    const ids = operations.map(([, operation]) => operation.operationId);
    expect(new Set(ids).size, `operationIds: ${ids.join(", ")}`).toBe(operations.length);
    for (const [label, operation] of operations) {
      expect(operation.operationId, label).toMatch(/^[a-z]+(?:[A-Z][a-z0-9]*)+$/);
      expect(operation.summary, label).toBeTruthy();
      expect(operation.description, label).toBeTruthy();
    }
    expect(ids).toEqual(expect.arrayContaining(["listAccounts", "getAccount", "uploadCsv", "getPortfolioSummary"]));
  });

  it("declares the licence, no security on the open routes and the bookmark header on every operation", async () => {
    const document = await fetchDocument();
    expect(document.info.license?.name).toBeTruthy();
    expect(document.paths["/"]!.get!.security).toEqual([]);
    expect(document.paths["/healthz"]!.get!.security).toEqual([]);
    expect(document.components.parameters.D1Bookmark).toMatchObject({ name: "x-d1-bookmark", in: "header" });
    for (const [label, operation] of operationsOf(document)) {
      expect(operation.parameters, label).toContainEqual({ $ref: "#/components/parameters/D1Bookmark" });
      expect(operation.responses["400"], `${label} 400 for a malformed bookmark`).toBeDefined();
    }
  });

  it("documents ETag, If-None-Match and 304 on the conditional reads", async () => {
    const document = await fetchDocument();
    for (const path of ["/accounts", "/accounts/{id}", "/portfolio/summary", "/playbooks"]) {
      const operation = document.paths[path]!.get!;
      expect(operation.parameters, path).toContainEqual(expect.objectContaining({ name: "if-none-match", in: "header" }));
      expect(Object.keys(operation.responses["200"]!.headers ?? {}), path).toEqual(["ETag", "Cache-Control"]);
      expect(operation.responses["304"], path).toBeDefined();
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

  it("documents the insight sources as a union, the checks, the optional portfolio body and the refresh flag", async () => {
    const document = await fetchDocument();
    expect(document.components.schemas.InsightSource).toMatchObject({
      enum: ["workers-ai", "openai", "rules", "workers-ai+rules", "openai+rules"],
    });
    expect(document.components.schemas.InsightChecks).toMatchObject({
      required: ["figures_checked", "figures_unsupported", "replaced"],
    });
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
    // Swagger UI is told where the document is by its start-up script (no inline script under the CSP).
    for (const [path, start] of [["/docs", "/docs/swagger-init.js"], ["/redoc", "/redoc"]]) {
      const response = await SELF.fetch(`http://example.com${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toContain("text/html");
      const html = await response.text();
      // The bundles are UTF-8 and break when decoded otherwise (FACTS.md: blank page, SyntaxError).
      expect(html).toContain('<meta charset="utf-8" />');
      expect(html).toContain(path === start ? "/openapi.json" : start);
      expect(await (await SELF.fetch(`http://example.com${start}`)).text()).toContain("/openapi.json");
    }
  });

  it("serves the docs pages under a CSP that allows scripts from this origin only", async () => {
    for (const path of ["/docs", "/redoc"]) {
      const csp = (await SELF.fetch(`http://example.com${path}`)).headers.get("content-security-policy") ?? "";
      const directives = Object.fromEntries(csp.split(";").map((part) => part.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
      expect(directives["script-src"], path).toEqual(["'self'"]);
      expect(directives["default-src"], path).toEqual(["'self'"]);
      expect(directives["img-src"], path).toEqual(["'self'", "data:"]);
      expect(csp, path).not.toMatch(/https?:|\*/);
    }
    // The API keeps the default secure headers, without the pages' CSP.
    const api = await SELF.fetch("http://example.com/playbooks");
    expect(api.headers.get("x-content-type-options")).toBe("nosniff");
    expect(api.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(api.headers.get("content-security-policy")).toBeNull();
  });

  it("loads every script and stylesheet of the docs pages from this origin, from the pinned packages", async () => {
    for (const page of ["/docs", "/redoc"]) {
      const html = await (await SELF.fetch(`http://example.com${page}`)).text();
      const urls = [...html.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
      expect(urls.length, page).toBeGreaterThan(0);
      for (const url of urls) {
        expect(url, page).toMatch(/^\/[^/]/);
        // Static assets (wrangler.toml [assets], filled from node_modules) are served before the Worker; the rest by it.
        const asset = await env.ASSETS.fetch(`http://example.com${url}`);
        const response = asset.status === 200 ? asset : await SELF.fetch(`http://example.com${url}`);
        expect(response.status, url).toBe(200);
        expect(response.headers.get("content-type"), url).toMatch(/^(text\/css|text\/javascript|application\/javascript)/);
        expect((await response.text()).length, url).toBeGreaterThan(url.endsWith("swagger-init.js") ? 100 : 100_000);
      }
    }
  });
});

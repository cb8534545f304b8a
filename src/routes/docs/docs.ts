import { swaggerUI } from "@hono/swagger-ui";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { SERVICE_NAME, SERVICE_VERSION } from "../../lib/service-info";
import { BEARER_SCHEME } from "../../lib/auth";
import type { AppEnv } from "../../lib/types";

const DESCRIPTION = `Customer-success analytics: upload daily product-usage metrics as CSV, get health scores, trends,
portfolio risk, account details, playbook recommendations and AI-written insights.

Errors use RFC 9457 problem details (\`application/problem+json\`) with a readable \`detail\` and a \`request_id\`.`;

const REDOC_PAGE = `<!doctype html>
<html>
  <head>
    <title>${SERVICE_NAME}: ReDoc</title>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
  </head>
  <body>
    <redoc spec-url="/openapi.json"></redoc>
    <script src="https://cdn.redoc.ly/redoc/latest/bundles/redoc.standalone.js"></script>
  </body>
</html>`;

type OpenApiDocument = ReturnType<OpenAPIHono<AppEnv>["getOpenAPIDocument"]>;

const SCOPES_NOTE = "(`read` ⊂ `ingest` ⊂ `admin`: a broader scope covers the narrower ones; see the README's Security section)";

/** Spells out in each operation's description the API key scope its `x-required-scope` names. */
function withScopeNotes(document: OpenApiDocument): OpenApiDocument {
  for (const pathItem of Object.values(document.paths ?? {})) {
    for (const method of ["get", "post", "put", "patch", "delete"] as const) {
      const operation = pathItem[method];
      const scope: unknown = operation?.["x-required-scope"];
      if (!operation || typeof scope !== "string") continue;
      const note = `**API key scope:** \`${scope}\` ${SCOPES_NOTE}.`;
      operation.description = operation.description ? `${operation.description}\n\n${note}` : note;
    }
  }
  return document;
}

/** The OpenAPI document is generated from the routes registered on `app`, so it must be served by `app` itself. */
export function registerDocs(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerComponent("securitySchemes", BEARER_SCHEME, {
    type: "http",
    scheme: "bearer",
    description:
      "An API key, sent as `Authorization: Bearer <key>`. Required for ingest, recompute, recommendations and insights in " +
      "production (and wherever API_KEYS is set); for the reads too when AUTH_READS=true.",
  });
  app.get("/openapi.json", (c) =>
    c.json(withScopeNotes(app.getOpenAPIDocument({
    openapi: "3.0.3",
    info: { title: SERVICE_NAME, version: SERVICE_VERSION, description: DESCRIPTION },
    servers: [{ url: new URL(c.req.url).origin, description: "This server" }],
    tags: [
      { name: "Ingest", description: "CSV uploads of daily account metrics" },
      { name: "Accounts", description: "Accounts with their health, trends and history" },
      { name: "Health", description: "Health score computation" },
      { name: "Portfolio", description: "Portfolio statistics and risk" },
      { name: "Playbooks", description: "The playbook library and recommendations for an account" },
      { name: "Insights", description: "Account and portfolio insights from Workers AI, OpenAI or the rules" },
      { name: "Service", description: "Service information and liveness" },
    ],
  }))),
  );
  app.get("/docs", swaggerUI({ url: "/openapi.json", title: `${SERVICE_NAME}: Swagger UI` }));
  app.get("/redoc", (c) => c.html(REDOC_PAGE));
}

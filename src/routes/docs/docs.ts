import type { OpenAPIHono } from "@hono/zod-openapi";
import { secureHeaders } from "hono/secure-headers";
import { BEARER_SCHEME } from "../../lib/auth";
import { BOOKMARK_HEADER, BOOKMARK_PATTERN } from "../../lib/d1-session";
import { SERVICE_LICENSE, SERVICE_NAME, SERVICE_VERSION } from "../../lib/service-info";
import type { AppEnv } from "../../lib/types";
import {
  DOCS_CONTENT_SECURITY_POLICY,
  OPENAPI_PATH,
  REDOC_PAGE,
  SWAGGER_INIT_PATH,
  SWAGGER_INIT_SCRIPT,
  SWAGGER_UI_PAGE,
} from "./pages";

const DESCRIPTION = `Customer-success analytics: upload daily product-usage metrics as CSV, get health scores, trends,
portfolio risk, account details, playbook recommendations and AI-written insights.

Errors use RFC 9457 problem details (\`application/problem+json\`) with a readable \`detail\` and a \`request_id\`.

**Read your writes.** Every answer that touched the database carries an \`${BOOKMARK_HEADER}\` header (a D1 session
bookmark). Send it back on the next request and that request reads data at least as fresh as the answer's, whichever
database replica serves it; without it a read may be served by any replica.

**Conditional reads.** \`GET /accounts\`, \`/accounts/{id}\`, \`/portfolio/summary\` and \`/playbooks\` answer with an
\`ETag\` (and \`Cache-Control: private, no-cache\`); send it back as \`If-None-Match\` and, while nothing was written since,
the answer is \`304 Not Modified\` with no body.`;

type OpenApiDocument = ReturnType<OpenAPIHono<AppEnv>["getOpenAPIDocument"]>;

const METHODS = ["get", "post", "put", "patch", "delete"] as const;

const SCOPES_NOTE = "(`read` ⊂ `ingest` ⊂ `admin`: a broader scope covers the narrower ones; see the README's Security section)";

/** Spells out in each operation's description the API key scope its `x-required-scope` names. */
function withScopeNotes(document: OpenApiDocument): OpenApiDocument {
  for (const pathItem of Object.values(document.paths ?? {})) {
    for (const method of METHODS) {
      const operation = pathItem[method];
      const scope: unknown = operation?.["x-required-scope"];
      if (!operation || typeof scope !== "string") continue;
      const note = `**API key scope:** \`${scope}\` ${SCOPES_NOTE}.`;
      operation.description = operation.description ? `${operation.description}\n\n${note}` : note;
    }
  }
  return document;
}

const BOOKMARK_PARAMETER = "D1Bookmark";

/**
 * Every operation takes the bookmark header (lib/d1-session.ts reads it in the middleware every request passes, so
 * it is declared here once rather than on each route).
 */
function withBookmarkParameter(document: OpenApiDocument): OpenApiDocument {
  document.components = {
    ...document.components,
    parameters: {
      ...document.components?.parameters,
      [BOOKMARK_PARAMETER]: {
        name: BOOKMARK_HEADER,
        in: "header",
        required: false,
        description:
          `The \`${BOOKMARK_HEADER}\` of an earlier answer: this request then reads data at least as fresh as that answer's. ` +
          "A malformed value answers 400.",
        schema: { type: "string", pattern: BOOKMARK_PATTERN.source, example: "00000085-0000024c-00004c6d-8e61117bf38d7adb71b934ebbf891683" },
      },
    },
  };
  for (const pathItem of Object.values(document.paths ?? {})) {
    for (const method of METHODS) {
      const operation = pathItem[method];
      if (!operation) continue;
      operation.parameters = [...(operation.parameters ?? []), { $ref: `#/components/parameters/${BOOKMARK_PARAMETER}` }];
    }
  }
  return document;
}

/**
 * The OpenAPI document is generated from the routes registered on `app`, so it must be served by `app` itself; the
 * docs pages and their start-up script are not API operations and stay out of it.
 */
export function registerDocs(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerComponent("securitySchemes", BEARER_SCHEME, {
    type: "http",
    scheme: "bearer",
    description:
      "An API key, sent as `Authorization: Bearer <key>`. Required for ingest, recompute, recommendations and insights in " +
      "production (and wherever API_KEYS is set); for the reads too when AUTH_READS=true.",
  });
  app.get(OPENAPI_PATH, (c) =>
    c.json(
      withBookmarkParameter(
        withScopeNotes(
          app.getOpenAPIDocument({
            openapi: "3.0.3",
            info: { title: SERVICE_NAME, version: SERVICE_VERSION, description: DESCRIPTION, license: SERVICE_LICENSE },
            // Relative: the API is wherever the document is served from, so the document does not depend on the request.
            servers: [{ url: "/", description: "This server" }],
            tags: [
              { name: "Ingest", description: "CSV uploads of daily account metrics" },
              { name: "Accounts", description: "Accounts with their health, trends and history" },
              { name: "Health", description: "Health score computation" },
              { name: "Health models", description: "What the health score is made of: versioned, validated models" },
              { name: "Measures", description: "Custom measures: signals beyond the built-in metric columns, uploaded and scored" },
              { name: "Portfolio", description: "Portfolio statistics and risk" },
              { name: "Playbooks", description: "The playbook library and recommendations for an account" },
              { name: "Insights", description: "Account and portfolio insights from Workers AI, OpenAI or the rules" },
              { name: "Audit", description: "Who changed what, when: corrections, erasures, webhooks and model activations" },
              { name: "Export", description: "The stored data as CSV files: the metrics in the import format, the score history" },
              { name: "Service", description: "Service information and liveness" },
            ],
          }),
        ),
      ),
    ),
  );

  const docsHeaders = secureHeaders({ contentSecurityPolicy: DOCS_CONTENT_SECURITY_POLICY });
  app.get("/docs", docsHeaders, (c) => c.html(SWAGGER_UI_PAGE));
  app.get(SWAGGER_INIT_PATH, docsHeaders, (c) =>
    c.body(SWAGGER_INIT_SCRIPT, 200, { "Content-Type": "text/javascript; charset=utf-8" }),
  );
  app.get("/redoc", docsHeaders, (c) => c.html(REDOC_PAGE));
}

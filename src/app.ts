import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { ApiError, problemResponse } from "./lib/errors";
import { createRouter } from "./lib/create-router";
import { log } from "./lib/logger";
import { corsFromConfig, requestLog, services } from "./lib/middleware";
import { accountsRouter } from "./routes/accounts/accounts.index";
import { actionsRouter } from "./routes/actions/actions.index";
import { registerDocs } from "./routes/docs/docs";
import { eventsRouter } from "./routes/events/events.index";
import { healthRouter } from "./routes/health/health.index";
import { healthModelsRouter } from "./routes/health-models/health-models.index";
import { ingestRouter } from "./routes/ingest/ingest.index";
import { insightsRouter } from "./routes/insights/insights.index";
import { measuresRouter } from "./routes/measures/measures.index";
import { playbooksRouter } from "./routes/playbooks/playbooks.index";
import { portfolioRouter } from "./routes/portfolio/portfolio.index";
import { renewalsRouter } from "./routes/renewals/renewals.index";
import { revenueRouter } from "./routes/revenue/revenue.index";
import { rootRouter } from "./routes/root/root.index";
import { webhooksRouter } from "./routes/webhooks/webhooks.index";
import { exportRouter } from "./routes/export/export.index";
import { auditRouter } from "./routes/audit/audit.index";

export function createApp() {
  const app = createRouter();

  app.use(requestId());
  app.use(requestLog);
  // The default secure headers on every answer; the docs pages add a strict CSP of their own (routes/docs/pages.ts) and
  // the console its referrer policy: what a sub-app sets itself is kept (`overwrite: false`), the rest filled in.
  app.use(secureHeaders({ overwrite: false }));
  app.use(services);
  app.use(corsFromConfig);

  app.route("/", rootRouter);
  app.route("/", ingestRouter);
  app.route("/", accountsRouter);
  app.route("/", healthRouter);
  app.route("/", healthModelsRouter);
  app.route("/", measuresRouter);
  app.route("/", portfolioRouter);
  app.route("/", revenueRouter);
  app.route("/", renewalsRouter);
  app.route("/", playbooksRouter);
  app.route("/", actionsRouter);
  app.route("/", insightsRouter);
  app.route("/", eventsRouter);
  app.route("/", webhooksRouter);
  app.route("/", exportRouter);
  app.route("/", auditRouter);
  registerDocs(app);

  app.notFound((c) => problemResponse(c, "not_found", `No route matches ${c.req.method} ${c.req.path}.`));

  app.onError((error, c) => {
    if (error instanceof ApiError) {
      return problemResponse(c, error.code, error.detail, error.fieldErrors, error.headers);
    }
    if (error instanceof HTTPException && error.status < 500) {
      const code = error.status === 413 ? "payload_too_large" : error.status === 404 ? "not_found" : "bad_request";
      return problemResponse(c, code, error.message || "The request could not be processed.");
    }
    log("error", "unhandled error", {
      request_id: c.get("requestId"),
      path: c.req.path,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      stack: error instanceof Error ? error.stack : undefined,
    });
    return problemResponse(
      c,
      "internal_error",
      `An unexpected error occurred. Quote request id ${c.get("requestId")} when reporting it.`,
    );
  });

  return app;
}

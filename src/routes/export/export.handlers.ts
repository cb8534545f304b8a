import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../lib/types";
import { exportMetricsCsv, exportScoresCsv } from "../../services/export";
import type { ExportMetricsRoute, ExportScoresRoute } from "./export.routes";

function csvHeaders(fileName: string) {
  return {
    "Content-Type": "text/csv; charset=utf-8",
    "Content-Disposition": `attachment; filename="${fileName}"`,
    "Cache-Control": "no-store",
  };
}

export const metrics: RouteHandler<ExportMetricsRoute, AppEnv> = async (c) => {
  const query = c.req.valid("query");
  const stream = await exportMetricsCsv(c.get("db"), {
    accountId: query.account_id,
    since: query.since,
    until: query.until,
    segment: query.segment,
  });
  return c.body(stream, 200, csvHeaders("metrics.csv"));
};

export const scores: RouteHandler<ExportScoresRoute, AppEnv> = (c) => {
  const query = c.req.valid("query");
  const stream = exportScoresCsv(c.get("db"), { since: query.since, until: query.until, segment: query.segment });
  return c.body(stream, 200, csvHeaders("scores.csv"));
};

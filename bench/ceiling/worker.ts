/**
 * Bench-only. `/floor` answers at once, optionally after one log line (`?log`) and one D1 query (`?db`): the cost of
 * wrangler dev itself and of those two steps, which every API route pays, under the read load test.
 *
 * The raw write ceiling: the body of each request is already the JSON array of a batch, bound as is to ONE parameter
 * of an `INSERT ... SELECT ... FROM json_each(?1)` (the fastest pattern measured on local D1). No multipart, no
 * CSV parsing, no validation, no upsert, no RETURNING, no rescoring: what ingestion could reach at best.
 */

interface CeilingEnv {
  DB: D1Database;
}

const INSERT_ACCOUNTS = `
INSERT INTO accounts (account_name, segment, region, arr, latest_metric_date)
SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4 FROM json_each(?1)`;

const INSERT_METRICS = `
INSERT INTO account_metrics (account_id, date, daily_active_users, feature_adoption_rate, support_tickets_open,
                             nps_score, login_frequency, arr)
SELECT a.id, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4, j.value ->> 5, j.value ->> 6, j.value ->> 7
FROM json_each(?1) AS j
JOIN accounts AS a ON a.account_name = j.value ->> 0`;

const STATEMENTS: Record<string, string> = { "/accounts": INSERT_ACCOUNTS, "/metrics": INSERT_METRICS };

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const path = url.pathname;
    if (path === "/healthz") return Response.json({ status: "ok" });
    if (path === "/floor") {
      if (url.searchParams.has("log")) console.log(JSON.stringify({ level: "info", message: "request", path, status: 200 }));
      if (url.searchParams.has("db")) await env.DB.prepare("SELECT 1").first();
      return Response.json({ status: "ok" });
    }
    const statement = STATEMENTS[path];
    if (request.method !== "POST" || !statement) return new Response("not found", { status: 404 });
    const result = await env.DB.prepare(statement).bind(await request.text()).run();
    return Response.json({ rows: result.meta.changes });
  },
} satisfies ExportedHandler<CeilingEnv>;

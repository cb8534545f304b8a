import { READ_ACCESS, WRITE_ACCESS } from "../../lib/auth";
import { defineRoute } from "../../lib/openapi";
import { jsonContent } from "../../contract/problems";
import { idPathParams } from "../../contract/params";
import { recomputeJobSchema, recomputeQuerySchema, recomputeResultSchema } from "../../contract/health";

const DESCRIPTION = `Rescores every account now: each date that has metrics gets a score in the history, and each account's
current health (score, bucket, components) and its 30/60/90-day trends are refreshed from its latest date.
After every CSV upload and daily from the Cron Trigger the same SQL runs incrementally (\`scope=stale\`): only the
accounts whose metrics changed since they were scored, and of those only the dates the change can reach (a change at
date d moves the scores of d … d + max(window − 1, 90) days at most).

**Score** (0-100, one decimal): the sum of five components from the metrics averaged over a trailing window
(\`HEALTH_WINDOW_DAYS\`, default the 7 days ending at the score date, using the rows present):

| component | points | formula (clamped to [0, points]) |
|---|---|---|
| daily active users | 25 | 25 × min(1, DAU / DAU benchmark of the segment; defaults Enterprise 200, Mid-Market 75, SMB 20) |
| feature adoption | 25 | 25 × adoption rate |
| support tickets | 20 | 20 × max(0, 1 − open tickets / ticket ceiling; default 10) |
| NPS | 15 | 15 × (NPS + 100) / 200 |
| login frequency | 15 | 15 × login frequency |

Without any NPS in the window, the latest NPS of the previous 90 days is carried; without that either, the NPS
component is null and the score is the other four × 100/85 (the four components are reported in their own points).
Buckets from the rounded score: Healthy >= 70, At-Risk >= 40, Critical below.

**Trends** are anchored at the account's latest metric date L, not today: the change of score, ARR and component
points since the latest date at or before L − days (else the window's first date), and the engagement trend
(mean DAU of the later half of the window versus the earlier half: above +10 % improving, below −10 % declining).
A trend is null when its window holds fewer than 2 dates.

The benchmarks, the ticket ceiling and the window are configuration (see the README).
The work is set-based SQL, in atomic batches of 250 accounts, so it is safe to run again at any time: a second run
writes the same values.

**Big books run as a job.** Up to \`RECOMPUTE_INLINE_MAX_ACCOUNTS\` accounts (default 10,000) are rescored in this
request, which answers 200 with the counts. A bigger book (or \`mode=queued\`) is split into chunks of 1,000 accounts on
a Cloudflare Queue that this Worker consumes; the request answers 202 with the job, whose progress
\`GET /health/recompute/jobs/{id}\` shows.`;

export const recompute = defineRoute({
  method: "post",
  path: "/health/recompute",
  operationId: "recomputeHealth",
  tag: "Health",
  access: WRITE_ACCESS,
  summary: "Recompute all health scores now",
  errors: ["validation_error"],
  request: {
    query: recomputeQuerySchema,
  },
  responses: {
    200: jsonContent(recomputeResultSchema, "Every account was rescored in this request"),
    202: jsonContent(recomputeResultSchema, "The recompute was queued as a job"),
  },
  description: DESCRIPTION,
});

export const getJob = defineRoute({
  method: "get",
  path: "/health/recompute/jobs/{id}",
  operationId: "getRecomputeJob",
  tag: "Health",
  access: READ_ACCESS,
  summary: "Progress of a queued recompute",
  errors: ["validation_error", "not_found"],
  request: {
    params: idPathParams("Job id, as answered by POST /health/recompute or an upload", 12),
  },
  responses: {
    200: jsonContent(recomputeJobSchema, "The job"),
  },
  description: `A recompute job's status (\`queued\`, \`running\`, \`completed\` or \`failed\` with its error), its chunk
counts and the accounts and scores written so far. A job comes from \`POST /health/recompute\` on a big book (or with
\`mode=queued\`) and from an upload whose rescore was too big to run before answering (its \`rescore_job_id\`).`,
});

export type RecomputeRoute = typeof recompute;
export type GetJobRoute = typeof getJob;

import { createRoute } from "@hono/zod-openapi";
import { accessWith, READ_ACCESS } from "../../lib/auth";
import { conditionalRead, conditionalReadHeaders, conditionalResponses } from "../../lib/conditional-read";
import { problemResponses } from "../../lib/openapi";
import { eventListSchema, listEventsQuerySchema } from "../../contract/events";

export const listEvents = createRoute({
  method: "get",
  path: "/events",
  operationId: "listEvents",
  tags: ["Events"],
  ...accessWith(READ_ACCESS, conditionalRead),
  summary: "The change feed: health events, oldest first",
  description: `Edge-triggered events, written in the same atomic batch as the change that caused them:

- \`health.bucket_changed\`: an account's current bucket changed (never for its first score);
- \`health.score_dropped\`: its 30-day score change (\`trend_30d.health_score_change\`) fell to −\`ALERT_SCORE_DROP\`
  (default 10) or below: once, when the drop starts; \`health.score_recovered\` when it is back above;
- \`ingest.completed\`: one per upload, with its counts and the number of account events its rescore wrote;
- \`webhook.test\`: sent by \`POST /webhooks/{id}/test\`.

Re-uploading a file, a recompute that changes nothing, or a back-fill that leaves an account's current state alone
write no account event. Follow the feed with \`after\`: pass \`next_after\` of the previous page. Webhooks deliver the
same events (the body's \`data\` is this \`data\`).`,
  request: { query: listEventsQuerySchema, headers: conditionalReadHeaders },
  responses: {
    ...conditionalResponses(eventListSchema, "A page of events"),
    ...problemResponses("validation_error", "unauthorized", "service_unavailable"),
  },
});
export type ListEventsRoute = typeof listEvents;

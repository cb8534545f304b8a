import { accessWith, READ_ACCESS } from "../../lib/auth";
import { conditionalRead, conditionalReadHeaders, conditionalResponses } from "../../lib/conditional-read";
import { defineRoute } from "../../lib/openapi";
import { eventListSchema, listEventsQuerySchema } from "../../contract/events";

export const listEvents = defineRoute({
  method: "get",
  path: "/events",
  operationId: "listEvents",
  tag: "Events",
  access: accessWith(READ_ACCESS, conditionalRead),
  summary: "The change feed: health events, oldest first",
  errors: ["validation_error"],
  request: {
    query: listEventsQuerySchema,
    headers: conditionalReadHeaders,
  },
  responses: conditionalResponses(eventListSchema, "A page of events"),
  description: `Edge-triggered events, written in the same atomic batch as the change that caused them:

- \`health.bucket_changed\`: an account's current bucket changed (never for its first score);
- \`health.score_dropped\`: its 30-day score change (\`trend_30d.health_score_change\`) fell to −\`ALERT_SCORE_DROP\`
  (default 10) or below: once, when the drop starts; \`health.score_recovered\` when it is back above;
- \`ingest.completed\`: one per upload, with its counts and the number of account events its rescore wrote;
- \`webhook.test\`: sent by \`POST /webhooks/{id}/test\`.

Re-uploading a file, a recompute that changes nothing, or a back-fill that leaves an account's current state alone
write no account event. Follow the feed with \`after\`: pass \`next_after\` of the previous page. Webhooks deliver the
same events (the body's \`data\` is this \`data\`).`,
});

export type ListEventsRoute = typeof listEvents;

import type { HealthEvent } from "../contract/events";

/** One event as a line people read (the portfolio's latest events, the events page): what happened, to whom. */
export function eventText(event: HealthEvent): string {
  switch (event.type) {
    case "health.bucket_changed":
      return `${event.data.account_name}: ${event.data.from} → ${event.data.to}`;
    case "health.score_dropped":
    case "health.score_recovered":
      return `${event.data.account_name}: 30-day change ${event.data.health_score_change_30d}`;
    case "ingest.completed":
      return `Upload: ${event.data.rows_total} rows`;
    case "health.model_activated":
      return `Health model "${event.data.model_name}" activated`;
    case "account.merged":
      return `Account ${event.data.from_account_id} merged into ${event.data.account_id}`;
    case "account.deleted":
      return `Account ${event.data.account_id} erased`;
    case "webhook.test":
      return "Webhook test";
  }
}

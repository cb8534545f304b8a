/** What the audit log records: the changes to stored data and configuration that no upload makes. */
export const AUDIT_ACTIONS = [
  "account.updated",
  "account.merged",
  "account.deleted",
  "webhook.created",
  "webhook.deleted",
  "webhook.secret_rotated",
  "health_model.activated",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

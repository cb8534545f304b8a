import { sql, type SQL } from "drizzle-orm";
import type { Database } from "../../lib/types";
import type { AuditAction } from "../../domain/audit";

export interface AuditEntry {
  actor: string | null;
  action: AuditAction;
  subjectId: number;
  detail: object;
}

/** The statement that records `entry`, for the batch of the change it records (both commit, or neither). */
export function auditStatement(entry: AuditEntry): SQL {
  return sql`
    INSERT INTO audit_records (occurred_at, actor, action, subject_id, detail)
    VALUES (${new Date().toISOString()}, ${entry.actor}, ${entry.action}, ${entry.subjectId}, ${JSON.stringify(entry.detail)})`;
}

export async function recordAudit(db: Database, entry: AuditEntry): Promise<void> {
  await db.run(auditStatement(entry));
}

export interface AuditRow {
  id: number;
  occurred_at: string;
  actor: string | null;
  action: AuditAction;
  subject_id: number;
  detail: string;
}

/** The records after `after` (an id), newest last, at most `limit`. */
export async function listAuditRecords(db: Database, after: number, limit: number): Promise<AuditRow[]> {
  return db.all<AuditRow>(sql`
    SELECT id, occurred_at, actor, action, subject_id, detail FROM audit_records
    WHERE id > ${after} ORDER BY id LIMIT ${limit}`);
}

import { eq } from "drizzle-orm";
import type { Database } from "../../lib/types";
import { ingestRuns } from "../schema";

export interface IngestRunStart {
  fileName: string | null;
  contentType: string | null;
  startedAt: string;
}

export interface IngestRunOutcome {
  status: "completed" | "failed" | "rejected";
  bytesRead: number;
  rowsTotal: number;
  rowsRejected: number;
  accountsCreated: number;
  accountsUpdated: number;
  metricsCreated: number;
  metricsUpdated: number;
  /** The first row errors (at most 100). */
  errors: unknown[];
  failureReason: string | null;
  finishedAt: string;
  durationMs: number;
}

/** Records an upload as running and returns its id, which every metric row it writes carries. */
export async function startIngestRun(db: Database, run: IngestRunStart): Promise<number> {
  const [row] = await db
    .insert(ingestRuns)
    .values({ ...run, status: "running" })
    .returning({ id: ingestRuns.id });
  if (!row) throw new Error("Inserting the ingest run returned no id");
  return row.id;
}

export async function finishIngestRun(db: Database, id: number, outcome: IngestRunOutcome): Promise<void> {
  await db.update(ingestRuns).set(outcome).where(eq(ingestRuns.id, id));
}

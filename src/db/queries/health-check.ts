import { sql } from "drizzle-orm";
import type { Database } from "../../lib/types";

/** Whether D1 answers a query at all (the liveness probe). */
export async function pingDatabase(db: Database): Promise<boolean> {
  try {
    await db.get(sql`SELECT 1`);
    return true;
  } catch {
    return false;
  }
}

import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";
import type { Database } from "../lib/types";

/**
 * drizzle-orm 0.45 types its D1 driver with `D1Database` only, while a request's queries run in a D1 session
 * (lib/d1-session.ts). A session has the `prepare` and `batch` that drizzle (and runBatch, through `$client`) call, so
 * this is the one place it is handed over as a D1Database; the methods a session lacks refuse. drizzle's 1.0 line
 * accepts a session as it is: drop this then.
 */
function sessionAsD1Database(session: D1DatabaseSession): D1Database {
  const unavailable = (name: string) => new Error(`D1 ${name}() is not available on a D1 session`);
  return {
    prepare: (query) => session.prepare(query),
    batch: <T = unknown>(statements: D1PreparedStatement[]) => session.batch<T>(statements),
    exec: () => Promise.reject(unavailable("exec")),
    dump: () => Promise.reject(unavailable("dump")),
    withSession: () => {
      throw unavailable("withSession");
    },
  };
}

/** The drizzle client over the D1 binding itself (cron, queue, tests) or over a request's D1 session. */
export function createDb(d1: D1Database | D1DatabaseSession): Database {
  return drizzle("withSession" in d1 ? d1 : sessionAsD1Database(d1), { schema });
}

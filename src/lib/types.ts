import type { DrizzleD1Database } from "drizzle-orm/d1";
import type { RequestIdVariables } from "hono/request-id";
import type * as schema from "../db/schema";
import type { AppConfig } from "./config";

/**
 * The drizzle client over the D1 binding or a request's D1 session (db/client.ts), which it keeps as `$client` (for
 * batches drizzle cannot build, so those run in the session too).
 */
export type Database = DrizzleD1Database<typeof schema> & { $client: D1Database };

export interface AppEnv {
  Bindings: Env;
  Variables: RequestIdVariables & {
    config: AppConfig;
    db: Database;
    /** A short SHA-256 prefix of the caller's API key, once the key is verified; never the key. */
    apiKeyId?: string;
    /** The verified key's name from API_KEYS (for logs and `created_by`); never the key or its digest. */
    apiKeyName?: string;
  };
}

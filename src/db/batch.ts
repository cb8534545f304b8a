import type { SQLiteRaw } from "drizzle-orm/sqlite-core/query-builders/raw";
import type { SQL } from "drizzle-orm";
import type { Database } from "../lib/types";

export type Results<T extends readonly SQLiteRaw<unknown>[]> = { -readonly [K in keyof T]: T[K] extends SQLiteRaw<infer R> ? R : never };

/**
 * `db.batch()` for statements written with the `sql` template: one atomic D1 batch, each result as `db.all`,
 * `db.get` or `db.run` gives it (row objects, the first row, the D1Result). drizzle-orm 0.45's own `db.batch()`
 * throws "Cannot read properties of undefined (reading 'bind')" on such a statement once it has a parameter
 * (drizzle-team/drizzle-orm#2277: it binds through a prepared statement that `db.run(sql)` does not have), so the
 * statements, rendered by drizzle, go to the client's own D1 binding.
 */
export async function runBatch<T extends readonly [SQLiteRaw<unknown>, ...SQLiteRaw<unknown>[]]>(
  db: Database,
  statements: T,
): Promise<Results<T>> {
  const results = await sendBatch(db, statements);
  return statements.map((statement, index) => statement.mapResult(results[index], true)) as Results<T>;
}

async function sendBatch(db: Database, statements: readonly SQLiteRaw<unknown>[]): Promise<D1Result[]> {
  const d1 = db.$client;
  const results = await d1.batch(
    statements.map((statement) => {
      const query = statement.getQuery();
      return d1.prepare(query.sql).bind(...query.params);
    }),
  );
  if (results.length !== statements.length) throw new Error("D1 returned fewer results than statements in the batch");
  return results;
}

/** A statement's result as runBatch gives it; undefined for a statement left out. */
type ResultOf<S> = S extends SQLiteRaw<infer R> ? R : undefined;

/**
 * runBatch over named statements, some of which may be left out (undefined): each result comes back under its
 * statement's name, so a statement left out shifts no other's result.
 */
export async function runNamedBatch<T extends Record<string, SQLiteRaw<unknown> | undefined>>(
  db: Database,
  statements: T,
): Promise<{ [K in keyof T]: ResultOf<T[K]> }> {
  const present = Object.entries(statements).filter(
    (entry): entry is [string, SQLiteRaw<unknown>] => entry[1] !== undefined,
  );
  const results = await sendBatch(db, present.map(([, statement]) => statement));
  return Object.fromEntries(
    present.map(([name, statement], index) => [name, statement.mapResult(results[index], true)]),
  ) as { [K in keyof T]: ResultOf<T[K]> };
}

/** Statements to spread into runNamedBatch under numbered names (`name0`, `name1`, …), each run for its D1Result. */
export function numberedStatements(db: Database, name: string, statements: readonly SQL[]) {
  return Object.fromEntries(statements.map((statement, position) => [`${name}${position}`, db.run(statement)]));
}

/** D1 rows written by statements whose results are D1Results (`meta.rows_written`, what D1 bills), indexes included. */
export function rowsWrittenBy(...results: D1Result[]): number {
  return results.reduce((sum, result) => sum + (result.meta.rows_written ?? 0), 0);
}

/**
 * What a request cost D1, in the units D1 bills: rows read and rows written, summed over every statement the request
 * ran in its session. Off by default (D1_USAGE_HEADERS): the benchmark and an operator checking what a read costs turn
 * it on, and each answer then carries the two sums as headers.
 *
 * D1 reports the usage of `all()`, `run()` and `batch()`, but `raw()` (what drizzle uses for a select with named
 * fields) answers the rows alone. A metered statement runs `raw()` as `all()` and turns each row object back into its
 * values, the conversion drizzle already applies to the results of a batch: the column order is kept, and a duplicated
 * column name (which no query of this API selects) would collapse, as it does in drizzle's batches.
 */

export const ROWS_READ_HEADER = "x-d1-rows-read";
export const ROWS_WRITTEN_HEADER = "x-d1-rows-written";

export interface D1Usage {
  rowsRead: number;
  rowsWritten: number;
}

type Row = Record<string, unknown>;

function counted<T extends D1Result<unknown>>(usage: D1Usage, result: T): T {
  usage.rowsRead += Number(result.meta.rows_read ?? 0);
  usage.rowsWritten += Number(result.meta.rows_written ?? 0);
  return result;
}

/** The statements this module wrapped, so a batch sends D1 its own statements. */
const unwrapped = new WeakMap<D1PreparedStatement, D1PreparedStatement>();

function meteredStatement(statement: D1PreparedStatement, usage: D1Usage): D1PreparedStatement {
  const allRows = async () => counted(usage, await statement.all<Row>()).results;
  const metered = new Proxy(statement, {
    get(target, property) {
      switch (property) {
        case "bind":
          return (...values: unknown[]) => meteredStatement(target.bind(...values), usage);
        case "run":
        case "all":
          return async () => counted(usage, await target[property]());
        case "first":
          return async (column?: string) => {
            const [row] = await allRows();
            if (row === undefined) return null;
            return column === undefined ? row : row[column];
          };
        case "raw":
          return async (options?: { columnNames?: boolean }) => {
            const rows = await allRows();
            const values = rows.map((row) => Object.values(row));
            return options?.columnNames ? [Object.keys(rows[0] ?? {}), ...values] : values;
          };
        default:
          return Reflect.get(target, property, target);
      }
    },
  });
  unwrapped.set(metered, statement);
  return metered;
}

/** The session, with every statement's rows read and written added to `usage`. */
export function meteredSession(session: D1DatabaseSession, usage: D1Usage): D1DatabaseSession {
  return {
    prepare: (query) => meteredStatement(session.prepare(query), usage),
    batch: async <T = unknown>(statements: D1PreparedStatement[]) => {
      const results = await session.batch<T>(statements.map((statement) => unwrapped.get(statement) ?? statement));
      for (const result of results) counted(usage, result);
      return results;
    },
    getBookmark: () => session.getBookmark(),
  };
}

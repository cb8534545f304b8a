import { env } from "cloudflare:test";

/**
 * The test's real D1 binding, with a record of how the Worker used it: where each session started, and every SQL
 * statement prepared in a session or on the binding itself. Pass it as `DB` to fetchWith.
 */
export interface RecordingD1 {
  DB: Pick<D1Database, "prepare" | "batch" | "withSession">;
  /** The argument of each withSession call: a constraint or a bookmark. */
  sessionStarts: string[];
  /** SQL prepared through a session, in order. */
  sessionStatements: string[];
  /** Batches sent through a session. */
  sessionBatches: number;
  /** SQL prepared on the binding outside any session. */
  bindingStatements: string[];
  clear(): void;
}

export function recordingD1(): RecordingD1 {
  const record: RecordingD1 = {
    sessionStarts: [],
    sessionStatements: [],
    sessionBatches: 0,
    bindingStatements: [],
    clear() {
      record.sessionStarts.length = 0;
      record.sessionStatements.length = 0;
      record.sessionBatches = 0;
      record.bindingStatements.length = 0;
    },
    DB: {
      prepare(query) {
        record.bindingStatements.push(query);
        return env.DB.prepare(query);
      },
      batch: <T = unknown>(statements: D1PreparedStatement[]) => env.DB.batch<T>(statements),
      withSession(start) {
        record.sessionStarts.push(start ?? "");
        const session = env.DB.withSession(start);
        const recorded: D1DatabaseSession = {
          prepare(query) {
            record.sessionStatements.push(query.replace(/\s+/g, " ").trim());
            return session.prepare(query);
          },
          batch<T = unknown>(statements: D1PreparedStatement[]) {
            record.sessionBatches++;
            return session.batch<T>(statements);
          },
          getBookmark: () => session.getBookmark(),
        };
        return recorded;
      },
    },
  };
  return record;
}

import { ApiError } from "./errors";

/**
 * D1 read replication: every request runs its queries in one D1 session (`withSession`), so they see a consistent,
 * ever-newer state of the database, on the primary or on any replica that has caught up. Writes start at the primary;
 * reads start wherever the client's last answer left it (its bookmark), or anywhere when it sends none. Each answer
 * carries the session's latest bookmark, so a client that sends it back reads its own writes from any replica.
 * https://developers.cloudflare.com/d1/best-practices/read-replication/
 */

export const BOOKMARK_HEADER = "x-d1-bookmark";

/** A D1 bookmark: four dash-separated hex groups, e.g. `00000085-0000024c-00004c6d-8e61117bf38d7adb71b934ebbf891683`. */
export const BOOKMARK_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{8}-[0-9a-fA-F]{8}-[0-9a-fA-F]{32}$/;

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Where a request's session starts. A malformed bookmark answers 400 on any method, checked here rather than left to
 * D1: local D1 takes any string, and a D1 error at the first query would answer 500. The constraint names
 * (`first-primary`, `first-unconstrained`) are no bookmarks either.
 */
export function sessionStart(method: string, bookmark: string | undefined): D1SessionConstraint | D1SessionBookmark {
  if (bookmark !== undefined && bookmark !== "" && !BOOKMARK_PATTERN.test(bookmark)) {
    const message =
      "Expected the x-d1-bookmark of an earlier answer (four dash-separated hex groups, 8-8-8-32 digits), or no header";
    throw new ApiError("validation_error", `Header '${BOOKMARK_HEADER}' is invalid: ${message}.`, [
      { field: BOOKMARK_HEADER, message },
    ]);
  }
  if (WRITE_METHODS.has(method)) return "first-primary";
  return bookmark || "first-unconstrained";
}

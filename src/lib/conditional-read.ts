import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { readDataVersion } from "../db/queries/data-version";
import type { AppEnv } from "./types";

/**
 * Conditional reads: an ETag from the data version (db/queries/data-version.ts, bumped by every write that changes what
 * reads answer), the deployed version of the Worker (new code or configuration answers differently), the caller's key,
 * the request URL and today's UTC date. `If-None-Match` with the current tag answers 304 after the one data-version
 * read, before the route's own queries run; a static answer's (staticConditionalRead) after none. Reusable: spread
 * into a route's middleware after the key check (`accessWith`), with `conditionalReadHeaders` in its request and
 * `conditionalResponses` for its 200.
 */

/** Caches may keep the answer for this caller only, and must ask (If-None-Match) before reusing it. */
export const CONDITIONAL_CACHE_CONTROL = "private, no-cache";

const encoder = new TextEncoder();

async function entityTag(parts: readonly (string | number)[]): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(parts.join("\n"))));
  const hex = Array.from(digest.subarray(0, 16), (byte) => byte.toString(16).padStart(2, "0")).join("");
  // Weak: the tag names the data behind the answer, not its bytes (a compressing proxy may re-encode them).
  return `W/"${hex}"`;
}

/** RFC 9110 weak comparison against each tag of an If-None-Match list. `*` never matches: a 200 is always correct. */
function matchesAny(ifNoneMatch: string | undefined, tag: string): boolean {
  if (!ifNoneMatch) return false;
  const opaque = (value: string) => value.trim().replace(/^W\//, "");
  return ifNoneMatch.split(",").some((candidate) => opaque(candidate) === opaque(tag));
}

/**
 * The middleware of a conditional read whose tag names `dataParts` (what the answer's data depends on) with the
 * deployed version of the Worker, the caller's key and the request URL.
 */
function conditionalReadOf(dataParts: (c: Context<AppEnv>) => Promise<readonly (string | number)[]>) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const tag = await entityTag([
      ...(await dataParts(c)),
      c.env.CF_VERSION_METADATA.id,
      c.get("apiKeyId") ?? "anonymous",
      c.req.url,
    ]);
    const headers = { ETag: tag, "Cache-Control": CONDITIONAL_CACHE_CONTROL };
    if (matchesAny(c.req.header("if-none-match"), tag)) return c.body(null, 304, headers);
    await next();
    if (c.res.status === 200) {
      for (const [name, value] of Object.entries(headers)) c.header(name, value);
    }
  });
}

/**
 * A read of the stored data: its tag names the data version, and today's UTC date, since some answers count from it
 * (the summary's renewals in the next 90 days), so a tag from yesterday is never current, whatever was written since.
 */
export const conditionalRead = conditionalReadOf(async (c) => [
  await readDataVersion(c.get("db")),
  new Date().toISOString().slice(0, 10),
]);

/** A read of what only a deploy changes (the playbook library): its tag needs no D1 read, so neither does its 304. */
export const staticConditionalRead = conditionalReadOf(async () => ["static"]);

export const conditionalReadHeaders = z.object({
  "if-none-match": z
    .string()
    .optional()
    .openapi({
      param: { name: "if-none-match", in: "header" },
      description: "The `ETag` of an earlier answer: while nothing was written since, the answer is 304 with no body",
      example: 'W/"1b2f9c0e5d7a4b3c8e6f1a2d3c4b5a69"',
    }),
});

const ETAG_HEADERS = {
  ETag: {
    description: "Names the data behind this answer (for this caller and URL); send it back as `If-None-Match`",
    schema: { type: "string" as const, example: 'W/"1b2f9c0e5d7a4b3c8e6f1a2d3c4b5a69"' },
  },
  "Cache-Control": {
    description: `\`${CONDITIONAL_CACHE_CONTROL}\`: for this caller only, revalidated before every reuse`,
    schema: { type: "string" as const, example: CONDITIONAL_CACHE_CONTROL },
  },
};

/** The 200 (JSON, with its ETag) and the 304 of a conditional read. */
export function conditionalResponses<T>(schema: T, description: string) {
  return {
    200: { description, headers: ETAG_HEADERS, content: { "application/json": { schema } } },
    304: {
      description: "Not modified: `If-None-Match` holds the current tag, so the copy the client has is current. No body.",
      headers: ETAG_HEADERS,
    },
  };
}

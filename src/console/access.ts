import type { Context, Hono } from "hono";
import { deleteCookie, getCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import type { ApiKeyScope } from "../lib/api-keys";
import { scopeGrants } from "../lib/auth";
import { ApiError } from "../lib/errors";
import type { AppEnv } from "../lib/types";
import { openSession, SESSION_COOKIE, type Session } from "./session";

/**
 * Who may see and do what in the console: the viewer (open when the API is, else the session of a signed-in key),
 * the scope a page or an action needs (as the API route behind it needs it), and the same-origin check of every
 * state change.
 */

export interface Viewer {
  /** Null when the console is open (no API_KEYS): nobody signs in. */
  session: Session | null;
  /** What the viewer may do: its key's scope; `admin` when the console is open, as the API is. */
  scope: ApiKeyScope;
}

export type ConsoleEnv = AppEnv & { Variables: AppEnv["Variables"] & { viewer: Viewer } };
export type ConsoleApp = Hono<ConsoleEnv>;

/** True when the viewer's scope grants what `needed` allows (admin ⊃ ingest ⊃ read), as for an API key. */
export function viewerCan(viewer: Viewer, needed: ApiKeyScope): boolean {
  return scopeGrants(viewer.scope, needed);
}

/** State changes come from the console's own pages only: their Origin is this origin (no CORS, no cross-site form). */
export function requireSameOrigin(c: Context<ConsoleEnv>, what: string): void {
  if (c.req.header("origin") !== new URL(c.req.url).origin) {
    throw new ApiError("forbidden", `${what} must come from the console's own page (Origin).`);
  }
}

export function sessionSecret(c: Context<ConsoleEnv>): string {
  const secret = c.get("config").sessionSecret;
  if (!secret) {
    throw new ApiError(
      "misconfigured",
      "SESSION_SECRET is not set: the console signs its sessions with it in production. Set it with " +
        "`wrangler secret put SESSION_SECRET --env production` (at least 32 characters).",
    );
  }
  return secret;
}

async function currentSession(c: Context<ConsoleEnv>): Promise<Session | null> {
  const cookie = getCookie(c, SESSION_COOKIE);
  if (!cookie) return null;
  return openSession(sessionSecret(c), cookie, c.get("config").auth.keys, new Date());
}

/**
 * Who is looking: open (no keys configured), a session, or a redirect to the sign-in. A session's key fingerprint is
 * the caller's id, as a verified key's is for the API (the pages' ETags are per caller).
 */
export const requireViewer = createMiddleware<ConsoleEnv>(async (c, next) => {
  if (!c.get("config").auth.required) {
    c.set("viewer", { session: null, scope: "admin" });
    return next();
  }
  const session = await currentSession(c);
  if (!session) {
    deleteCookie(c, SESSION_COOKIE, { path: "/app", secure: true });
    const url = new URL(c.req.url);
    return c.redirect(`/app/login?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
  }
  c.set("viewer", { session, scope: session.scope });
  c.set("apiKeyId", session.fingerprint);
  c.set("apiKeyName", session.name ?? "unnamed full-access key");
  return next();
});

/**
 * A page or action that needs `scope` (after requireViewer): 403 otherwise, even to a hand-made request, with the
 * same words as the API's answer to a key without the scope.
 */
export function requirePageScope(scope: ApiKeyScope) {
  return createMiddleware<ConsoleEnv>(async (c, next) => {
    const viewer = c.get("viewer");
    if (!viewerCan(viewer, scope)) {
      throw new ApiError(
        "forbidden",
        `This needs an API key with the '${scope}' scope (or a broader one); the key '${viewer.session?.name ?? "unnamed"}' has '${viewer.scope}'.`,
      );
    }
    await next();
  });
}

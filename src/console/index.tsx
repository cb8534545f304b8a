import { Hono, type Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { secureHeaders } from "hono/secure-headers";
import { latestEvents } from "../db/queries/events";
import { keyForToken } from "../lib/auth";
import { ApiError } from "../lib/errors";
import type { AppEnv } from "../lib/types";
import { getPortfolioSummary } from "../services/portfolio";
import { getRevenueMovements } from "../services/revenue";
import type { Viewer } from "./layout";
import { LoginPage } from "./login-page";
import { PortfolioPage } from "./portfolio-page";
import { AccountsPage } from "./accounts-page";
import { listAccounts } from "../db/queries/account-list";
import { listAccountsQuerySchema } from "../contract/account-list";
import { fieldErrorsOf } from "../lib/create-router";
import { openSession, SESSION_COOKIE, SESSION_SECONDS, signSession, type Session } from "./session";
import { CONSOLE_CSS } from "./styles";

/**
 * The console at /app: pages rendered on the server (hono/jsx) from the same services and queries the API's routes
 * call, in the same invocation; no script, no request to another host. Open when the API is (no API_KEYS outside
 * production); otherwise behind a sign-in with an API key, held in a signed session cookie.
 */

type ConsoleEnv = AppEnv & { Variables: AppEnv["Variables"] & { viewer: Viewer } };

/** A 53-bit FNV-style hash of the stylesheet, so its URL changes with its content and it can be cached for a year. */
function contentTag(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (let index = 0; index < text.length; index++) {
    hash = BigInt.asUintN(64, (hash ^ BigInt(text.charCodeAt(index))) * 0x100000001b3n);
  }
  return hash.toString(16).slice(0, 12);
}

export const CONSOLE_STYLESHEET = `/app/assets/console-${contentTag(CONSOLE_CSS)}.css`;

export const CONSOLE_CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'none'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", "data:"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
};

const LATEST_EVENTS = 8;

/** Where a sign-in may send the browser back to: a console path of this origin, nothing else. */
function safeNext(next: string | undefined): string {
  return next && /^\/app(\/[\w\-/]*)?(\?[\w\-=&%.]*)?$/.test(next) ? next : "/app";
}

/** State changes come from the console's own pages only: their Origin is this origin (no CORS, no cross-site form). */
function sameOrigin(c: Context<ConsoleEnv>): boolean {
  return c.req.header("origin") === new URL(c.req.url).origin;
}

function sessionSecret(c: Context<ConsoleEnv>): string {
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

/** Who is looking: open (no keys configured), a session, or a redirect to the sign-in. */
const requireViewer = createMiddleware<ConsoleEnv>(async (c, next) => {
  if (!c.get("config").auth.required) {
    c.set("viewer", { session: null });
    return next();
  }
  const session = await currentSession(c);
  if (!session) {
    deleteCookie(c, SESSION_COOKIE, { path: "/app", secure: true });
    const url = new URL(c.req.url);
    return c.redirect(`/app/login?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
  }
  c.set("viewer", { session });
  return next();
});

export function createConsole() {
  const pages = new Hono<ConsoleEnv>();
  pages.use("/app/*", secureHeaders({ contentSecurityPolicy: CONSOLE_CONTENT_SECURITY_POLICY }));
  pages.use("/app", secureHeaders({ contentSecurityPolicy: CONSOLE_CONTENT_SECURITY_POLICY }));

  pages.get(CONSOLE_STYLESHEET, (c) =>
    c.body(CONSOLE_CSS, 200, { "Content-Type": "text/css; charset=utf-8", "Cache-Control": "public, max-age=31536000, immutable" }),
  );

  pages.get("/app/login", async (c) => {
    if (!c.get("config").auth.required) return c.redirect("/app", 303);
    sessionSecret(c);
    return c.html(<LoginPage stylesheet={CONSOLE_STYLESHEET} next={safeNext(c.req.query("next"))} error={null} />);
  });

  pages.post("/app/login", async (c) => {
    if (!sameOrigin(c)) throw new ApiError("forbidden", "The sign-in must come from the console's own page (Origin).");
    if (!c.get("config").auth.required) return c.redirect("/app", 303);
    const form = await c.req.parseBody();
    const token = typeof form.key === "string" ? form.key.trim() : "";
    const next = safeNext(typeof form.next === "string" ? form.next : undefined);
    const key = token === "" ? null : await keyForToken(token, c.get("config").auth.keys);
    if (!key) {
      c.status(401);
      return c.html(<LoginPage stylesheet={CONSOLE_STYLESHEET} next={next} error="That API key is not valid." />);
    }
    setCookie(c, SESSION_COOKIE, await signSession(sessionSecret(c), key, new Date()), {
      path: "/app",
      httpOnly: true,
      secure: true,
      sameSite: "Strict",
      maxAge: SESSION_SECONDS,
    });
    return c.redirect(next, 303);
  });

  pages.post("/app/logout", (c) => {
    if (!sameOrigin(c)) throw new ApiError("forbidden", "Signing out must come from the console's own page (Origin).");
    deleteCookie(c, SESSION_COOKIE, { path: "/app", secure: true });
    return c.redirect("/app/login", 303);
  });

  pages.get("/app", requireViewer, async (c) => {
    const db = c.get("db");
    const [summary, revenue, events] = await Promise.all([
      getPortfolioSummary(db, c.get("config").health),
      getRevenueMovements(db, 90),
      latestEvents(db, LATEST_EVENTS),
    ]);
    return c.html(<PortfolioPage stylesheet={CONSOLE_STYLESHEET} viewer={c.get("viewer")} view={{ summary, revenue, events }} />);
  });

  pages.get("/app/accounts", requireViewer, async (c) => {
    const values = Object.fromEntries(
      Object.entries(c.req.query()).filter(([name, value]) => name !== "page" && value.trim() !== ""),
    );
    const parsed = listAccountsQuerySchema.safeParse(c.req.query());
    if (!parsed.success) {
      const problems = fieldErrorsOf(parsed.error).map((error) => `${error.field}: ${error.message}`);
      c.status(400);
      return c.html(
        <AccountsPage
          stylesheet={CONSOLE_STYLESHEET}
          viewer={c.get("viewer")}
          view={{ values, query: null, problems, total: 0, accounts: [] }}
        />,
      );
    }
    const { total, accounts } = await listAccounts(c.get("db"), parsed.data);
    return c.html(
      <AccountsPage
        stylesheet={CONSOLE_STYLESHEET}
        viewer={c.get("viewer")}
        view={{ values, query: parsed.data, problems: [], total, accounts }}
      />,
    );
  });

  return pages;
}

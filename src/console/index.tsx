import { Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { ApiError } from "../lib/errors";
import type { ConsoleEnv } from "./access";
import { registerAccountsPage } from "./accounts-page";
import { MessagePage } from "./layout";
import { registerSignIn } from "./login-page";
import { registerModelPage } from "./model-page";
import { registerPortfolioPage } from "./portfolio-page";
import { CONSOLE_CSS, CONSOLE_STYLESHEET } from "./styles";

/**
 * The console at /app: pages rendered on the server (hono/jsx) from the same services and queries the API's routes
 * call, in the same invocation; no request to another host. Open when the API is (no API_KEYS outside production);
 * otherwise behind a sign-in with an API key, held in a signed session cookie (access.ts). Each page file registers
 * its own routes.
 */

export const CONSOLE_CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'none'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", "data:"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
};

/**
 * `same-origin`, not the API's `no-referrer`: under `no-referrer` a browser sends `Origin: null` with a form's POST, and
 * every state change (requireSameOrigin) would be refused. Another site still gets no referrer.
 */
const CONSOLE_SECURE_HEADERS = { contentSecurityPolicy: CONSOLE_CONTENT_SECURITY_POLICY, referrerPolicy: "same-origin" };

export function createConsole() {
  const pages = new Hono<ConsoleEnv>();
  pages.use("/app/*", secureHeaders(CONSOLE_SECURE_HEADERS));
  pages.use("/app", secureHeaders(CONSOLE_SECURE_HEADERS));

  pages.get(CONSOLE_STYLESHEET, (c) =>
    c.body(CONSOLE_CSS, 200, { "Content-Type": "text/css; charset=utf-8", "Cache-Control": "public, max-age=31536000, immutable" }),
  );

  registerSignIn(pages);
  registerPortfolioPage(pages);
  registerAccountsPage(pages);
  registerModelPage(pages);

  // A refusal on a page is a page (with the API's status and words), not problem+json.
  pages.onError((error, c) => {
    if (!(error instanceof ApiError)) throw error;
    c.status(error.status);
    for (const [name, value] of Object.entries(error.headers ?? {})) c.header(name, value);
    return c.html(<MessagePage title={error.status === 403 ? "Not allowed" : "Something is wrong"} viewer={c.get("viewer") ?? null} message={error.detail} />);
  });

  return pages;
}

import { Hono } from "hono";
import { ApiError } from "../lib/errors";
import type { ConsoleEnv } from "./access";
import { registerAccountPage } from "./account-page";
import { registerAccountsPage } from "./accounts-page";
import { consoleSecureHeaders } from "./csp";
import { registerImportPage } from "./import-page";
import { registerEventsPage } from "./events-page";
import { MessagePage } from "./layout";
import { registerSignIn } from "./login-page";
import { registerModelPage } from "./model-page";
import { registerPortfolioPage } from "./portfolio-page";
import { registerWebhooksPage } from "./webhooks-page";
import { CONSOLE_CSS, CONSOLE_STYLESHEET } from "./styles";

/**
 * The console at /app: pages rendered on the server (hono/jsx) from the same services and queries the API's routes
 * call, in the same invocation; no request to another host. Open when the API is (no API_KEYS outside production);
 * otherwise behind a sign-in with an API key, held in a signed session cookie (access.ts). Each page file registers
 * its own routes.
 */

export function createConsole() {
  const pages = new Hono<ConsoleEnv>();
  const headers = consoleSecureHeaders();
  pages.use("/app/*", headers);
  pages.use("/app", headers);

  pages.get(CONSOLE_STYLESHEET, (c) =>
    c.body(CONSOLE_CSS, 200, { "Content-Type": "text/css; charset=utf-8", "Cache-Control": "public, max-age=31536000, immutable" }),
  );

  registerSignIn(pages);
  registerPortfolioPage(pages);
  registerAccountsPage(pages);
  registerAccountPage(pages);
  registerImportPage(pages);
  registerEventsPage(pages);
  registerWebhooksPage(pages);
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

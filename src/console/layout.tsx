import type { Child } from "hono/jsx";
import type { Session } from "./session";

/** The frame of every console page: the skip link, the navigation, who is signed in, and the page's main content. */

export interface Viewer {
  /** Null when the console is open (no API_KEYS): nobody signs in. */
  session: Session | null;
}

export function Layout(props: { title: string; stylesheet: string; viewer: Viewer | null; children: Child }) {
  const { session } = props.viewer ?? { session: null };
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · AI Success Insights`}</title>
        <link rel="stylesheet" href={props.stylesheet} />
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to the content
        </a>
        <header class="top">
          <a href="/app">
            <strong>AI Success Insights</strong>
          </a>
          {props.viewer && (
            <nav aria-label="Console">
              <a href="/app">Portfolio</a>
              <a href="/app/accounts">Accounts</a>
              <a href="/docs">API docs</a>
            </nav>
          )}
          {session && (
            <form class="who" method="post" action="/app/logout">
              <span>
                {session.name ?? "API key"} ({session.scope})
              </span>
              <button type="submit">Sign out</button>
            </form>
          )}
        </header>
        <main id="main">{props.children}</main>
      </body>
    </html>
  );
}

import type { Child } from "hono/jsx";
import { viewerCan, type Viewer } from "./access";
import { CONSOLE_STYLESHEET } from "./styles";

/** The frame of every console page: the skip link, the navigation the viewer's scope allows, who is signed in, the content. */

/** The navigation: each entry with the scope its page needs. */
const SECTIONS = [
  { href: "/app", label: "Portfolio", scope: "read" },
  { href: "/app/accounts", label: "Accounts", scope: "read" },
  { href: "/app/events", label: "Events", scope: "read" },
  { href: "/app/import", label: "Import", scope: "ingest" },
  { href: "/app/model", label: "Health model", scope: "read" },
  { href: "/app/webhooks", label: "Webhooks", scope: "admin" },
] as const;

/** `head`: what a page adds to the head (the import page: its script). */
export function Layout(props: { title: string; viewer: Viewer | null; head?: Child; children: Child }) {
  const viewer = props.viewer;
  const session = viewer?.session ?? null;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · AI Success Insights`}</title>
        <link rel="stylesheet" href={CONSOLE_STYLESHEET} />
        {props.head}
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to the content
        </a>
        <header class="top">
          <a href="/app">
            <strong>AI Success Insights</strong>
          </a>
          {viewer && (
            <nav aria-label="Console">
              {SECTIONS.filter((section) => viewerCan(viewer, section.scope)).map((section) => (
                <a href={section.href}>{section.label}</a>
              ))}
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

/** A page that only says something: a refusal, a missing account. */
export function MessagePage(props: { title: string; viewer: Viewer | null; message: string }) {
  return (
    <Layout title={props.title} viewer={props.viewer}>
      <h1>{props.title}</h1>
      <p class="error" role="alert">
        {props.message}
      </p>
    </Layout>
  );
}

/** Why a page's filters were refused: the API's 400 messages, one per line. */
export function FilterProblems(props: { problems: readonly string[] }) {
  return (
    <div class="error" role="alert">
      <p>These filters cannot be applied:</p>
      <ul>
        {props.problems.map((problem) => (
          <li>{problem}</li>
        ))}
      </ul>
    </div>
  );
}

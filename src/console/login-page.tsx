import { deleteCookie, setCookie } from "hono/cookie";
import { keyForToken } from "../lib/auth";
import { requireSameOrigin, sessionSecret, type ConsoleApp } from "./access";
import { Layout } from "./layout";
import { SESSION_COOKIE, SESSION_SECONDS, signSession } from "./session";

/** The sign-in form: an API key, checked as the API checks it. */
export function LoginPage(props: { next: string; error: string | null }) {
  return (
    <Layout title="Sign in" viewer={null}>
      <form class="login" method="post" action="/app/login">
        <h1>Sign in</h1>
        <p>Use an API key (a read key sees the figures; ingest and admin keys may change them).</p>
        {props.error && (
          <p class="error" role="alert">
            {props.error}
          </p>
        )}
        <label for="key">API key</label>
        <input id="key" name="key" type="password" autocomplete="current-password" required />
        <input type="hidden" name="next" value={props.next} />
        <button type="submit">Sign in</button>
      </form>
    </Layout>
  );
}

/** Where a sign-in may send the browser back to: a console path of this origin, nothing else. */
function safeNext(next: string | undefined): string {
  return next && /^\/app(\/[\w\-/]*)?(\?[\w\-=&%.]*)?$/.test(next) ? next : "/app";
}

export function registerSignIn(pages: ConsoleApp) {
  pages.get("/app/login", async (c) => {
    if (!c.get("config").auth.required) return c.redirect("/app", 303);
    sessionSecret(c);
    return c.html(<LoginPage next={safeNext(c.req.query("next"))} error={null} />);
  });

  pages.post("/app/login", async (c) => {
    requireSameOrigin(c, "The sign-in");
    if (!c.get("config").auth.required) return c.redirect("/app", 303);
    const form = await c.req.parseBody();
    const token = typeof form.key === "string" ? form.key.trim() : "";
    const next = safeNext(typeof form.next === "string" ? form.next : undefined);
    const key = token === "" ? null : await keyForToken(token, c.get("config").auth.keys);
    if (!key) {
      c.status(401);
      return c.html(<LoginPage next={next} error="That API key is not valid." />);
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
    requireSameOrigin(c, "Signing out");
    deleteCookie(c, SESSION_COOKIE, { path: "/app", secure: true });
    return c.redirect("/app/login", 303);
  });
}

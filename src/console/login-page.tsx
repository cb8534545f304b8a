import { Layout } from "./layout";

/** The sign-in form: an API key, checked as the API checks it. */
export function LoginPage(props: { stylesheet: string; next: string; error: string | null }) {
  return (
    <Layout title="Sign in" stylesheet={props.stylesheet} viewer={null}>
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

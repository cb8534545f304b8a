import { SESSION_COOKIE } from "../../src/console/session";
import { fetchWith } from "./worker";

/** Signing in to the console and sending its forms, as a browser on the console's own origin does. */

export const CONSOLE_ORIGIN = "http://example.com";

/** The session cookie a sign-in with `key` sets, as a `cookie` header value. */
export async function signIn(key: string, vars: Record<string, string>): Promise<string> {
  const response = await fetchWith(vars, "/app/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: CONSOLE_ORIGIN },
    body: new URLSearchParams({ key, next: "/app" }).toString(),
    redirect: "manual",
  });
  const value = new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(response.headers.get("set-cookie") ?? "")?.[1];
  if (response.status !== 303 || !value) throw new Error(`the sign-in answered ${response.status}, with no session cookie`);
  return `${SESSION_COOKIE}=${value}`;
}

/** A form POST (urlencoded, repeated names allowed) from `origin`, with the session `cookie` if any; redirects not followed. */
export function postForm(
  path: string,
  fields: [string, string][],
  options: { vars?: Record<string, unknown>; cookie?: string; origin?: string } = {},
): Promise<Response> {
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded",
    origin: options.origin ?? CONSOLE_ORIGIN,
    ...(options.cookie ? { cookie: options.cookie } : {}),
  };
  return fetchWith(options.vars ?? {}, path, { method: "POST", headers, body: new URLSearchParams(fields).toString(), redirect: "manual" });
}

/** A page of the console, as the session `cookie` (if any) sees it. */
export function getPage(path: string, options: { vars?: Record<string, unknown>; cookie?: string } = {}): Promise<Response> {
  return fetchWith(options.vars ?? {}, path, { headers: options.cookie ? { cookie: options.cookie } : {}, redirect: "manual" });
}

import { secureHeaders } from "hono/secure-headers";

/**
 * The console's security headers: a Content-Security-Policy with nothing from another host, no script and no inline
 * style, and Referrer-Policy same-origin rather than secureHeaders' no-referrer, under which a browser sends
 * `Origin: null` with a form's POST and the same-origin check of every state change (access.ts) could not tell the
 * console's own forms from another site's. A page that runs a script of its own (the import page) sets its own headers
 * with `withOwnScript`, and only that page; the console-wide ones then keep them (`overwrite: false`).
 */
const CONSOLE_CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'none'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", "data:"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
};

/** The console's headers, with `contentSecurityPolicy` when a page needs more than the console's own policy. */
export function consoleSecureHeaders(contentSecurityPolicy = CONSOLE_CONTENT_SECURITY_POLICY) {
  return secureHeaders({ contentSecurityPolicy, referrerPolicy: "same-origin", overwrite: false });
}

/** The console's policy plus scripts served from /app/assets/ and the requests they make, to this origin only. */
export function withOwnScript() {
  return { ...CONSOLE_CONTENT_SECURITY_POLICY, scriptSrc: ["'self'"], connectSrc: ["'self'"] };
}

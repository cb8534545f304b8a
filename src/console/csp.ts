/**
 * The console's Content-Security-Policy: nothing from another host, no script, no inline style. A page that runs a
 * script of its own (the import page) extends it with `withOwnScript`, and only that page.
 */
export const CONSOLE_CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'none'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", "data:"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
};

/** The console's policy plus scripts served from /app/assets/ and the requests they make, to this origin only. */
export function withOwnScript() {
  return { ...CONSOLE_CONTENT_SECURITY_POLICY, scriptSrc: ["'self'"], connectSrc: ["'self'"] };
}

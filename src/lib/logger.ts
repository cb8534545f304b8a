import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Structured JSON logs: one object per line, which Workers Logs indexes field by field. Every line written while a
 * request is served also carries the request's context (its id, and the caller's key name once the key is verified).
 */

const requestContext = new AsyncLocalStorage<Record<string, unknown>>();

/** Runs `task` with `context` as the log context; fields set later (setLogContext) land in the same object. */
export function withLogContext<T>(context: Record<string, unknown>, task: () => T): T {
  return requestContext.run(context, task);
}

/** Adds fields to the current request's log context (no-op outside a request). */
export function setLogContext(fields: Record<string, unknown>): void {
  const context = requestContext.getStore();
  if (context) Object.assign(context, fields);
}

export function log(level: "info" | "warn" | "error", message: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, message, time: new Date().toISOString(), ...requestContext.getStore(), ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

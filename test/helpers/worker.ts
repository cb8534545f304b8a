import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../src/index";

/**
 * Calls the Worker with extra vars and bindings, as a deployment configured so would run (the configuration is parsed
 * per env object, so every call can differ).
 */
export async function fetchWith(extraEnv: Record<string, unknown>, path: string, init: RequestInit = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const request = new Request(`http://example.com${path}`, init) as Parameters<typeof worker.fetch>[0];
  const response = await worker.fetch(request, { ...env, ...extraEnv } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

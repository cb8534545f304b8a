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

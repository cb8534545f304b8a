/**
 * A typed client of this API: openapi-fetch over the types `npm run client:generate` writes into schema.d.ts from the
 * OpenAPI document (CI fails when they differ). Paths, parameters, bodies and answers are all checked by TypeScript.
 *
 *   const api = createApiClient({ baseUrl: "https://insights.example.com", apiKey: process.env.API_KEY });
 *   const { data, error } = await api.GET("/accounts", { params: { query: { bucket: "Critical" } } });
 */
import createClient, { type Client, type ClientOptions, type Middleware } from "openapi-fetch";
import type { paths } from "./schema";

export type { components, operations, paths } from "./schema";

export interface ApiClientOptions {
  /** Where the API is, e.g. `http://localhost:8787`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <key>` when set. */
  apiKey?: string;
  /** Another fetch (a test's `SELF.fetch`, a service binding). */
  fetch?: ClientOptions["fetch"];
  /**
   * Send back the `x-d1-bookmark` of the latest answer on every request (default true), so this client reads its own
   * writes from any D1 replica.
   */
  readYourWrites?: boolean;
}

const BOOKMARK_HEADER = "x-d1-bookmark";

/** Remembers the newest bookmark an answer carried and sends it with the next requests. */
function bookmarkCarrier(): Middleware {
  let bookmark: string | null = null;
  return {
    onRequest({ request }) {
      if (bookmark && !request.headers.has(BOOKMARK_HEADER)) request.headers.set(BOOKMARK_HEADER, bookmark);
      return request;
    },
    onResponse({ response }) {
      bookmark = response.headers.get(BOOKMARK_HEADER) ?? bookmark;
      return response;
    },
  };
}

export function createApiClient({ baseUrl, apiKey, fetch, readYourWrites = true }: ApiClientOptions): Client<paths> {
  const client = createClient<paths>({
    baseUrl,
    fetch,
    headers: apiKey ? { Authorization: `Bearer ${apiKey}` } : {},
  });
  if (readYourWrites) client.use(bookmarkCarrier());
  return client;
}

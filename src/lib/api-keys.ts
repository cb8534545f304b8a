/** The API_KEYS entries: a key's scope, its name and the SHA-256 digest it is recognised by. */

/** What a key may do: `read` every GET (and insights), `ingest` also uploads and recomputes, `admin` everything. */
export const API_KEY_SCOPES = ["read", "ingest", "admin"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export interface ApiKeyEntry {
  scope: ApiKeyScope;
  /** Shown in logs and on records (`created_by`); null for a bare digest. */
  name: string | null;
  /** SHA-256 of the key, lower-case hex. */
  digest: string;
}

export const API_KEY_ENTRY = /^(?:(read|ingest|admin):([A-Za-z0-9._-]{1,64}):)?([0-9a-fA-F]{64})$/;

export function parseApiKeyEntry(entry: string): ApiKeyEntry {
  const [, scope, name, digest = ""] = API_KEY_ENTRY.exec(entry) ?? [];
  // A bare digest keeps its meaning from before scopes: full access.
  return { scope: (scope as ApiKeyScope | undefined) ?? "admin", name: name ?? null, digest: digest.toLowerCase() };
}

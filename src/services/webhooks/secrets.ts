import { replaceWebhookSecrets, webhooksToReseal } from "../../db/queries/webhooks";
import type { SecretsConfig } from "../../lib/config";
import { ApiError } from "../../lib/errors";
import type { Database } from "../../lib/types";
import { openSecret, sealingKeys, sealSecret, type SealingKeys } from "../../webhooks/sealing";

/** The 503 `misconfigured` of every webhook route while production has no SECRETS_KEY. */
function secretsKeyMissing(): ApiError {
  return new ApiError(
    "misconfigured",
    "SECRETS_KEY is not set: in production webhook signing secrets are sealed under it. Set it with " +
      "`wrangler secret put SECRETS_KEY --env production` (at least 32 characters, e.g. openssl rand -base64 32).",
  );
}

/** Webhooks exist only with their secrets sealed: every webhook route and page answers 503 while production has no key. */
export function requireSecretsKey(secrets: SecretsConfig): void {
  if (secrets.source === "missing") throw secretsKeyMissing();
}

/** The keys that seal and open webhook secrets; a 503 `misconfigured` when production has no SECRETS_KEY. */
export async function webhookSealingKeys(secrets: SecretsConfig): Promise<SealingKeys> {
  if (!secrets.key) throw secretsKeyMissing();
  return sealingKeys(secrets.key, secrets.previousKey);
}

/**
 * Seals under the current key every secret that is not: those stored before sealing existed (plain `whsec_`) and
 * those sealed under SECRETS_KEY_PREVIOUS. Run by the cron and by the webhook queue's consumer, so after a rotation of
 * SECRETS_KEY the previous key can go once a cron has run. Answers how many endpoints it sealed.
 */
export async function resealWebhookSecrets(db: Database, keys: SealingKeys): Promise<number> {
  let resealed = 0;
  for (const row of await webhooksToReseal(db, keys.current.version)) {
    const reseal = async (stored: string) => sealSecret(keys, row.id, await openSecret(keys, row.id, stored));
    const sealed = {
      secret: await reseal(row.secret),
      previousSecret: row.previous_secret === null ? null : await reseal(row.previous_secret),
    };
    if (await replaceWebhookSecrets(db, row.id, { secret: row.secret, previousSecret: row.previous_secret }, sealed)) {
      resealed++;
    }
  }
  return resealed;
}

import type { AppConfig } from "../lib/config";
import type { RecomputeSettings, RecomputeTrigger } from "./types";

/**
 * What a recompute takes from the configuration. An upload answers its client only after its inline rescore, so it
 * keeps that rescore to fewer accounts (INGEST_RESCORE_INLINE_MAX_ACCOUNTS) than a recompute asked for on its own.
 */
export function recomputeSettings(config: AppConfig, trigger: RecomputeTrigger): RecomputeSettings {
  return {
    health: config.health,
    alertScoreDrop: config.events.alertScoreDrop,
    inlineMaxAccounts: trigger === "ingest" ? config.recompute.ingestInlineMaxAccounts : config.recompute.inlineMaxAccounts,
  };
}

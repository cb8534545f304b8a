import type { FallbackCode } from "../contract/insights";

/** A provider could not answer; `code` says why, and the caller falls back to the rules. */
export class InsightProviderError extends Error {
  override name = "InsightProviderError";
  constructor(
    readonly code: FallbackCode,
    message: string,
  ) {
    super(message);
  }
}

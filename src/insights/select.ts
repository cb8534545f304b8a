import type { z } from "@hono/zod-openapi";
import type { InsightsConfig } from "../lib/config";
import { errorMessage } from "../lib/errors";
import { log } from "../lib/logger";
import { OpenAiProvider } from "./openai";
import type { FallbackCode, InsightSource } from "../contract/insights";
import type { AccountInsightInput, InsightProvider, PortfolioInsightInput } from "./provider";
import { InsightProviderError } from "./provider-error";
import { RulesProvider } from "./rules";
import { rulesAccountInsight } from "./rules-account";
import { rulesPortfolioInsight } from "./rules-portfolio";
import {
  accountInsightSchema,
  parseModelAnswer,
  portfolioInsightSchema,
  type AccountInsight,
  type PortfolioInsight,
} from "./schema";
import { WorkersAiProvider, type AiBinding } from "./workers-ai";

/**
 * Chooses the insight provider from configuration and runs it within the timeout. Any failure of a model (timeout,
 * HTTP error, refusal, output that does not parse, not exactly 3 actions, a playbook that was not offered, a thrown
 * error) is logged and answered by the rules instead; the result says which source answered and why it fell back.
 */

export interface ProviderDependencies {
  /** The Workers AI binding (`env.AI`), present only in the production environment. */
  ai?: AiBinding;
  /** Injected by tests; the global fetch otherwise. */
  fetch?: typeof fetch;
}

export interface ProviderChoice {
  provider: InsightProvider;
  /** Why the configured provider cannot run (explicitly chosen but its key or binding is missing); null otherwise. */
  unavailable: string | null;
}

export function chooseProvider(config: InsightsConfig, dependencies: ProviderDependencies = {}): ProviderChoice {
  const openAi = () =>
    config.openAiApiKey
      ? new OpenAiProvider({
          apiKey: config.openAiApiKey,
          model: config.openAiModel,
          baseUrl: config.openAiBaseUrl,
          fetch: dependencies.fetch,
        })
      : null;
  const workersAi = () => (dependencies.ai ? new WorkersAiProvider(dependencies.ai, config.workersAiModel) : null);
  const rules = new RulesProvider();

  switch (config.provider) {
    case "rules":
      return { provider: rules, unavailable: null };
    case "openai": {
      const provider = openAi();
      return provider
        ? { provider, unavailable: null }
        : { provider: rules, unavailable: "INSIGHTS_PROVIDER is openai but the OPENAI_API_KEY secret is not set" };
    }
    case "workers-ai": {
      const provider = workersAi();
      return provider
        ? { provider, unavailable: null }
        : { provider: rules, unavailable: "INSIGHTS_PROVIDER is workers-ai but there is no AI binding in this environment" };
    }
    case "auto":
      return { provider: openAi() ?? workersAi() ?? rules, unavailable: null };
  }
}

export interface InsightResult<T> {
  insight: T;
  /** Who answered: the configured model, or the rules (by choice or as the fallback). */
  source: InsightSource;
  /** The model that answered; null for the rules. */
  model: string | null;
  /** Set when a model was configured but the rules answered. */
  fallback_code: FallbackCode | null;
  /** Readable: which provider failed and how, e.g. "openai (gpt-4o-mini): OpenAI answered HTTP 429: ...". */
  fallback_reason: string | null;
  /** Wall time spent, including a failed attempt. */
  duration_ms: number;
}

export interface RunOptions {
  timeoutMs: number;
}

/** Runs `task` with an abort signal; rejects with a `timeout` error (and aborts the signal) after `timeoutMs`. */
async function withTimeout<T>(task: (signal: AbortSignal) => Promise<T>, timeoutMs: number): Promise<T> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new InsightProviderError("timeout", `no answer within ${timeoutMs} ms`);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    return await Promise.race([task(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function asProviderError(error: unknown): InsightProviderError {
  if (error instanceof InsightProviderError) return error;
  return new InsightProviderError("provider_error", errorMessage(error));
}

/** How one kind of insight is asked for, parsed, checked and answered by the rules. */
interface RunSteps<Input, T> {
  call: (provider: InsightProvider, input: Input, signal: AbortSignal) => Promise<T>;
  schema: z.ZodType<T>;
  /** Checks beyond the schema; throws an InsightProviderError. */
  check: (insight: T, input: Input) => void;
  rules: (input: Input) => T;
}

async function run<Input, T>(
  scope: "account" | "portfolio",
  choice: ProviderChoice,
  input: Input,
  options: RunOptions,
  steps: RunSteps<Input, T>,
): Promise<InsightResult<T>> {
  const started = Date.now();
  const { provider, unavailable } = choice;
  const rules = (code: FallbackCode | null, reason: string | null): InsightResult<T> => ({
    insight: steps.rules(input),
    source: "rules",
    model: null,
    fallback_code: code,
    fallback_reason: reason,
    duration_ms: Date.now() - started,
  });

  if (provider.source === "rules") {
    if (!unavailable) return rules(null, null);
    log("warn", "Insight provider not configured; answering with the rules", { scope, reason: unavailable });
    return rules("not_configured", unavailable);
  }

  const who = `${provider.source} (${provider.model})`;
  try {
    const raw = await withTimeout((signal) => steps.call(provider, input, signal), options.timeoutMs);
    // Providers parse already; parsing again keeps the guarantee for any provider plugged in here.
    const insight = parseModelAnswer(raw, steps.schema, who);
    steps.check(insight, input);
    const duration = Date.now() - started;
    log("info", "Insight generated", { scope, source: provider.source, model: provider.model, duration_ms: duration });
    return {
      insight,
      source: provider.source,
      model: provider.model,
      fallback_code: null,
      fallback_reason: null,
      duration_ms: duration,
    };
  } catch (error) {
    const failure = asProviderError(error);
    const reason = `${who}: ${failure.message}`;
    log("warn", "Insight provider failed; answering with the rules", {
      scope,
      source: provider.source,
      model: provider.model,
      code: failure.code,
      reason,
      duration_ms: Date.now() - started,
    });
    return rules(failure.code, reason);
  }
}

/** Every action must apply one of the playbooks offered to the model (the account's recommendations). */
export function checkActionPlaybooks(insight: AccountInsight, input: AccountInsightInput): void {
  const offered = new Set(input.recommendations.map((recommendation) => recommendation.playbook.id));
  const unknown = insight.recommended_actions.filter((action) => !offered.has(action.playbook_id));
  if (unknown.length > 0) {
    throw new InsightProviderError(
      "unknown_playbook",
      `actions apply playbook ${unknown.map((action) => action.playbook_id).join(", ")}, not among those offered (${[...offered].join(", ")})`,
    );
  }
}

const ACCOUNT_STEPS: RunSteps<AccountInsightInput, AccountInsight> = {
  call: (provider, input, signal) => provider.accountInsight(input, signal),
  schema: accountInsightSchema,
  check: checkActionPlaybooks,
  rules: rulesAccountInsight,
};

const PORTFOLIO_STEPS: RunSteps<PortfolioInsightInput, PortfolioInsight> = {
  call: (provider, input, signal) => provider.portfolioInsight(input, signal),
  schema: portfolioInsightSchema,
  check: () => undefined,
  rules: rulesPortfolioInsight,
};

/** The account insight from the chosen provider, or from the rules when it cannot answer. */
export function runAccountInsight(choice: ProviderChoice, input: AccountInsightInput, options: RunOptions) {
  return run("account", choice, input, options, ACCOUNT_STEPS);
}

/** The portfolio insight from the chosen provider, or from the rules when it cannot answer. */
export function runPortfolioInsight(choice: ProviderChoice, input: PortfolioInsightInput, options: RunOptions) {
  return run("portfolio", choice, input, options, PORTFOLIO_STEPS);
}

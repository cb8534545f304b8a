import type { z } from "@hono/zod-openapi";
import type { InsightsConfig } from "../lib/config";
import { errorMessage } from "../lib/errors";
import { log } from "../lib/logger";
import { OpenAiProvider } from "./openai";
import type { FallbackCode, InsightChecks, InsightSource } from "../contract/insights";
import { describeFailures, failedParts, mostlyFailed, type AnswerReview } from "./checks";
import { repairAccountAnswer, reviewAccountAnswer } from "./checks-account";
import { repairPortfolioAnswer, reviewPortfolioAnswer } from "./checks-portfolio";
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
 * HTTP error, refusal, output that does not parse, not exactly 3 actions, a thrown error) is logged and answered by
 * the rules instead. An answer that parses is then checked part by part against the data (checks.ts): a part that
 * fails is replaced by the rules' version of it, and when more than half fail the rules answer it all. The result says
 * which source answered, what the checks found and why it fell back.
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
  /** Who answered: the configured model, the model with parts replaced by the rules, or the rules alone. */
  source: InsightSource;
  /** The model that answered; null for the rules. */
  model: string | null;
  /** Set when a model was configured but the rules answered. */
  fallback_code: FallbackCode | null;
  /** Readable: which provider failed and how, e.g. "openai (gpt-4o-mini): OpenAI answered HTTP 429: ...". */
  fallback_reason: string | null;
  /** What the checks found in a model's answer; null when no model answer was checked. */
  checks: InsightChecks | null;
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
export interface RunSteps<Input, T> {
  call: (provider: InsightProvider, input: Input, signal: AbortSignal) => Promise<T>;
  schema: z.ZodType<T>;
  rules: (input: Input) => T;
  /** Reads each part of a model's answer against the data (`rules` is the rules' answer to the same input). */
  review: (insight: T, input: Input, rules: T) => AnswerReview;
  /** The answer with the failed parts of `review` replaced by the rules' versions. */
  repair: (insight: T, review: AnswerReview, rules: T) => T;
}

/** The checks as the response reports them: what was read, and which parts were replaced. */
function checksOf(review: AnswerReview, replaced: string[]): InsightChecks {
  return { figures_checked: review.figures_checked, figures_unsupported: review.figures_unsupported, replaced };
}

/** A model's answer read against the data: the review, and the answer with its failed parts replaced by the rules'. */
export function checkAnswer<Input, T>(steps: RunSteps<Input, T>, answer: T, input: Input): { review: AnswerReview; insight: T } {
  const rulesAnswer = steps.rules(input);
  const review = steps.review(answer, input, rulesAnswer);
  return { review, insight: failedParts(review).length > 0 ? steps.repair(answer, review, rulesAnswer) : answer };
}

/** The checks of a stored answer, read again against the same data; null when any part fails (then it is not served). */
export function recheckedAnswer<Input, T>(steps: RunSteps<Input, T>, insight: T, input: Input): InsightChecks | null {
  // Review only: a stored answer that fails is not served, so there is nothing to repair.
  const review = steps.review(insight, input, steps.rules(input));
  return failedParts(review).length > 0 ? null : checksOf(review, []);
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
  const source = provider.source;
  const rules = (code: FallbackCode | null, reason: string | null, checks: InsightChecks | null = null): InsightResult<T> => ({
    insight: steps.rules(input),
    source: "rules",
    model: null,
    fallback_code: code,
    fallback_reason: reason,
    checks,
    duration_ms: Date.now() - started,
  });

  if (source === "rules") {
    if (!unavailable) return rules(null, null);
    log("warn", "Insight provider not configured; answering with the rules", { scope, reason: unavailable });
    return rules("not_configured", unavailable);
  }

  const who = `${provider.source} (${provider.model})`;
  let answer: T;
  try {
    const raw = await withTimeout((signal) => steps.call(provider, input, signal), options.timeoutMs);
    // Providers parse already; parsing again keeps the guarantee for any provider plugged in here.
    answer = parseModelAnswer(raw, steps.schema, who);
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

  const { review, insight } = checkAnswer(steps, answer, input);
  const failed = failedParts(review);
  for (const part of failed) {
    log("warn", "Insight check failed", { scope, source: provider.source, model: provider.model, part: part.part, problems: part.problems });
  }
  if (mostlyFailed(review)) {
    const reason = `${who}: ${describeFailures(review)}`;
    log("warn", "Insight answer failed its checks; answering with the rules", { scope, source: provider.source, model: provider.model, reason });
    return rules("checks_failed", reason, checksOf(review, review.parts.map((part) => part.part)));
  }
  const duration = Date.now() - started;
  log("info", "Insight generated", {
    scope,
    source: provider.source,
    model: provider.model,
    figures_checked: review.figures_checked,
    parts_replaced: failed.length,
    duration_ms: duration,
  });
  return {
    insight,
    source: failed.length > 0 ? `${source}+rules` : source,
    model: provider.model,
    fallback_code: null,
    fallback_reason: null,
    checks: checksOf(review, failed.map((part) => part.part)),
    duration_ms: duration,
  };
}

export const ACCOUNT_STEPS: RunSteps<AccountInsightInput, AccountInsight> = {
  call: (provider, input, signal) => provider.accountInsight(input, signal),
  schema: accountInsightSchema,
  rules: rulesAccountInsight,
  review: (insight, input) => reviewAccountAnswer(insight, input),
  repair: repairAccountAnswer,
};

export const PORTFOLIO_STEPS: RunSteps<PortfolioInsightInput, PortfolioInsight> = {
  call: (provider, input, signal) => provider.portfolioInsight(input, signal),
  schema: portfolioInsightSchema,
  rules: rulesPortfolioInsight,
  review: reviewPortfolioAnswer,
  repair: repairPortfolioAnswer,
};

/** The account insight from the chosen provider, or from the rules when it cannot answer. */
export function runAccountInsight(choice: ProviderChoice, input: AccountInsightInput, options: RunOptions) {
  return run("account", choice, input, options, ACCOUNT_STEPS);
}

/** The portfolio insight from the chosen provider, or from the rules when it cannot answer. */
export function runPortfolioInsight(choice: ProviderChoice, input: PortfolioInsightInput, options: RunOptions) {
  return run("portfolio", choice, input, options, PORTFOLIO_STEPS);
}

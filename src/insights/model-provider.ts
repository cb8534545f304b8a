import type { z } from "@hono/zod-openapi";
import { accountMessages, portfolioMessages, type ChatMessage } from "./prompt";
import type { ProviderSource } from "../contract/insights";
import type { AccountInsightInput, InsightProvider, PortfolioInsightInput } from "./provider";
import {
  accountInsightJsonSchema,
  accountInsightSchema,
  portfolioInsightJsonSchema,
  portfolioInsightSchema,
  type AccountInsight,
  type PortfolioInsight,
} from "./schema";

/** What a model is asked to answer: the response format's name and JSON schema, and the zod schema that parses it. */
export interface AnswerFormat<T> {
  name: string;
  jsonSchema: Record<string, unknown>;
  schema: z.ZodType<T>;
}

const ACCOUNT_ANSWER: AnswerFormat<AccountInsight> = {
  name: "account_insight",
  jsonSchema: accountInsightJsonSchema,
  schema: accountInsightSchema,
};

const PORTFOLIO_ANSWER: AnswerFormat<PortfolioInsight> = {
  name: "portfolio_insight",
  jsonSchema: portfolioInsightJsonSchema,
  schema: portfolioInsightSchema,
};

/** A provider backed by an LLM: every model gets the same prompts and answer formats; only the call differs. */
export abstract class ModelProvider implements InsightProvider {
  abstract readonly source: Exclude<ProviderSource, "rules">;
  abstract readonly model: string;

  /** Sends `messages`, parses the answer against `format`; throws an InsightProviderError. */
  protected abstract generate<T>(messages: ChatMessage[], format: AnswerFormat<T>, signal: AbortSignal): Promise<T>;

  accountInsight(input: AccountInsightInput, signal: AbortSignal): Promise<AccountInsight> {
    return this.generate(accountMessages(input), ACCOUNT_ANSWER, signal);
  }

  portfolioInsight(input: PortfolioInsightInput, signal: AbortSignal): Promise<PortfolioInsight> {
    return this.generate(portfolioMessages(input), PORTFOLIO_ANSWER, signal);
  }
}

import { errorMessage } from "../lib/errors";
import { ModelProvider, type AnswerFormat } from "./model-provider";
import type { ChatMessage } from "./prompt";
import { InsightProviderError } from "./provider-error";
import { parseModelAnswer } from "./schema";

/**
 * OpenAI (or any OpenAI-compatible gateway) through a plain `fetch` to the Chat Completions API, with a strict
 * JSON-schema response format. `fetch` is injectable so tests fake the HTTP boundary.
 * https://platform.openai.com/docs/guides/structured-outputs
 */

export interface OpenAiOptions {
  apiKey: string;
  model: string;
  /** E.g. `https://api.openai.com/v1`, without a trailing slash. */
  baseUrl: string;
  fetch?: typeof fetch;
  maxTokens?: number;
}

export const OPENAI_MAX_TOKENS = 1500;

/** The part of a Chat Completion this provider reads. */
interface ChatCompletion {
  choices?: { message?: { content?: string | null; refusal?: string | null }; finish_reason?: string }[];
}

/** An API error body, `{ error: { message } }`, read for the log line only. */
async function apiErrorMessage(response: Response): Promise<string> {
  const text = await response.text().catch(() => "");
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } };
    if (typeof body.error?.message === "string") return body.error.message;
  } catch {
    // Not JSON: fall through to the raw text.
  }
  return text.slice(0, 200);
}

export class OpenAiProvider extends ModelProvider {
  override readonly source = "openai" as const;
  override readonly model: string;
  private readonly apiKey: string;
  private readonly baseUrl: string;
  private readonly fetcher: typeof fetch;
  private readonly maxTokens: number;

  constructor(options: OpenAiOptions) {
    super();
    this.apiKey = options.apiKey;
    this.model = options.model;
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    // Bound to the global so the Workers runtime does not throw "Illegal invocation".
    this.fetcher = options.fetch ?? ((input, init) => fetch(input, init));
    this.maxTokens = options.maxTokens ?? OPENAI_MAX_TOKENS;
  }

  protected override async generate<T>(messages: ChatMessage[], format: AnswerFormat<T>, signal: AbortSignal): Promise<T> {
    let response: Response;
    try {
      response = await this.fetcher(`${this.baseUrl}/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${this.apiKey}`, "content-type": "application/json" },
        body: JSON.stringify({
          model: this.model,
          messages,
          temperature: 0,
          // OpenAI's current name: reasoning models refuse the deprecated `max_tokens`.
          max_completion_tokens: this.maxTokens,
          response_format: {
            type: "json_schema",
            json_schema: { name: format.name, strict: true, schema: format.jsonSchema },
          },
        }),
        signal,
      });
    } catch (error) {
      if (signal.aborted) throw error;
      throw new InsightProviderError("provider_error", `OpenAI request failed: ${errorMessage(error)}`);
    }
    if (!response.ok) {
      const detail = await apiErrorMessage(response);
      throw new InsightProviderError(
        response.status === 429 ? "rate_limited" : "http_error",
        `OpenAI answered HTTP ${response.status}${detail ? `: ${detail}` : ""}`,
      );
    }
    let completion: ChatCompletion;
    try {
      completion = (await response.json()) as ChatCompletion;
    } catch {
      throw new InsightProviderError("invalid_json", "OpenAI answered a body that is not JSON");
    }
    const choice = completion.choices?.[0];
    const refusal = choice?.message?.refusal;
    if (refusal) throw new InsightProviderError("refusal", `OpenAI refused: ${refusal}`);
    const content = choice?.message?.content;
    if (typeof content !== "string" || content.trim() === "") {
      throw new InsightProviderError("invalid_json", "OpenAI answered without message content");
    }
    if (choice?.finish_reason === "length") {
      throw new InsightProviderError("invalid_json", "OpenAI's answer was cut off at the token limit");
    }
    return parseModelAnswer(content, format.schema, "OpenAI");
  }
}

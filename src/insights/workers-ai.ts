import { errorMessage } from "../lib/errors";
import { ModelProvider, type AnswerFormat } from "./model-provider";
import type { ChatMessage } from "./prompt";
import { InsightProviderError } from "./provider-error";
import { parseModelAnswer } from "./schema";

/**
 * Workers AI through the `AI` binding, with JSON mode. The models of Workers AI's JSON-mode list take the schema
 * itself as `json_schema` and answer `{ response: <object or JSON text> }`; newer models take OpenAI's shape
 * `{ name, schema, strict }` and answer a Chat Completion. Both are sent and read here.
 * https://developers.cloudflare.com/workers-ai/features/json-mode/
 */

/** The slice of the `Ai` binding this provider uses; tests pass a fake. */
export interface AiBinding {
  run(model: string, inputs: Record<string, unknown>, options?: { signal?: AbortSignal }): Promise<unknown>;
}

/** Models of the JSON-mode documentation, which take `response_format.json_schema` as the bare schema. */
export const LEGACY_JSON_MODE_MODELS: ReadonlySet<string> = new Set([
  "@cf/meta/llama-3.3-70b-instruct-fp8-fast",
  "@cf/meta/llama-3.1-70b-instruct",
  "@cf/meta/llama-3.1-8b-instruct-fast",
  "@cf/meta/llama-3.1-8b-instruct",
  "@cf/meta/llama-3-8b-instruct",
  "@cf/meta/llama-3.2-11b-vision-instruct",
  "@hf/nousresearch/hermes-2-pro-mistral-7b",
  "@hf/thebloke/deepseek-coder-6.7b-instruct-awq",
  "@cf/deepseek-ai/deepseek-r1-distill-qwen-32b",
]);

export const WORKERS_AI_MAX_TOKENS = 1500;

export function workersAiResponseFormat(model: string, name: string, schema: Record<string, unknown>) {
  return LEGACY_JSON_MODE_MODELS.has(model)
    ? { type: "json_schema", json_schema: schema }
    : { type: "json_schema", json_schema: { name, schema, strict: true } };
}

/** The answer inside a Workers AI output: `response` (object or text), a bare string, or a Chat Completion. */
function answerOf(output: unknown): unknown {
  if (typeof output === "string") return output;
  if (output === null || typeof output !== "object") return undefined;
  if ("response" in output) return output.response;
  if ("choices" in output && Array.isArray(output.choices)) {
    const message: unknown = output.choices[0]?.message;
    if (message && typeof message === "object" && "content" in message) return message.content;
  }
  return undefined;
}

function classifyError(error: unknown): InsightProviderError {
  const message = errorMessage(error);
  if (/JSON Mode couldn'?t be met/i.test(message)) {
    return new InsightProviderError("json_mode_failed", `Workers AI could not meet the JSON schema: ${message}`);
  }
  // 3036: daily free allocation used up; 3040: out of capacity (both HTTP 429).
  if (/\b(3036|3040|429)\b|capacity|rate limit/i.test(message)) {
    return new InsightProviderError("rate_limited", `Workers AI is rate limited or out of capacity: ${message}`);
  }
  return new InsightProviderError("provider_error", `Workers AI failed: ${message}`);
}

export class WorkersAiProvider extends ModelProvider {
  override readonly source = "workers-ai" as const;

  constructor(
    private readonly ai: AiBinding,
    override readonly model: string,
    private readonly maxTokens = WORKERS_AI_MAX_TOKENS,
  ) {
    super();
  }

  protected override async generate<T>(messages: ChatMessage[], format: AnswerFormat<T>, signal: AbortSignal): Promise<T> {
    let output: unknown;
    try {
      output = await this.ai.run(
        this.model,
        {
          messages,
          response_format: workersAiResponseFormat(this.model, format.name, format.jsonSchema),
          temperature: 0,
          max_tokens: this.maxTokens,
        },
        { signal },
      );
    } catch (error) {
      throw classifyError(error);
    }
    const answer = answerOf(output);
    if (answer === undefined || answer === null) {
      throw new InsightProviderError("invalid_json", "Workers AI answered without a response");
    }
    return parseModelAnswer(answer, format.schema, "Workers AI");
  }
}

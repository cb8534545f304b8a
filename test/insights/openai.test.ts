import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { OpenAiProvider } from "../../src/insights/openai";
import type { AccountInsightInput } from "../../src/insights/provider";
import { rulesAccountInsight } from "../../src/insights/rules-account";
import { accountInsightJsonSchema, portfolioInsightJsonSchema, type AccountInsight } from "../../src/insights/schema";
import { runAccountInsight, runPortfolioInsight } from "../../src/insights/select";
import { accountInput, criticalAccount, portfolioInput, samplePortfolio } from "./fixtures";

const BASE_URL = "https://gateway.example.com/v1";
const KEY = "sk-test-0123456789";
const MODEL = "gpt-4o-mini";

interface Sent {
  url: string;
  init: RequestInit;
}

/** A fetch at the HTTP boundary: records each request and answers with `respond`. */
function fakeFetch(respond: (sent: Sent) => Promise<Response> | Response) {
  const sent: Sent[] = [];
  const fetcher: typeof fetch = async (input, init) => {
    const request = { url: String(input), init: init ?? {} };
    sent.push(request);
    return respond(request);
  };
  return { fetcher, sent };
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

/** A real Chat Completions response shape around `content`. */
function completion(content: string | null, refusal: string | null = null, finishReason = "stop") {
  return {
    id: "chatcmpl-BV3k9xQz7Lr2mN8pT4uWcYd1",
    object: "chat.completion",
    created: 1_793_491_200,
    model: "gpt-4o-mini-2024-07-18",
    choices: [
      {
        index: 0,
        message: { role: "assistant", content, refusal, annotations: [] },
        logprobs: null,
        finish_reason: finishReason,
      },
    ],
    usage: {
      prompt_tokens: 2011,
      completion_tokens: 388,
      total_tokens: 2399,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    },
    service_tier: "default",
    system_fingerprint: "fp_0ba0d124f1",
  };
}

function modelAnswer(input: AccountInsightInput): AccountInsight {
  return {
    summary: `Umbrella Inc is Critical with a health score of ${input.account.health_score} and $30,000 ARR.`,
    health_analysis: "Every component is weak; support tickets weigh most.",
    risk_factors: input.risk_factors.filter((factor) => factor.kind === "risk").map((factor) => factor.label),
    recommended_actions: input.recommendations.slice(0, 3).map((recommendation) => ({
      title: recommendation.playbook.title,
      description: "Start this week.",
      priority: "High",
      estimated_impact: recommendation.playbook.expected_outcome,
      playbook_id: recommendation.playbook.id,
    })),
  };
}

function provider(fetcher: typeof fetch, baseUrl = BASE_URL) {
  return new OpenAiProvider({ apiKey: KEY, model: MODEL, baseUrl, fetch: fetcher });
}

function run(fetcher: typeof fetch, input: AccountInsightInput, timeoutMs = 1_000) {
  return runAccountInsight({ provider: provider(fetcher), unavailable: null }, input, { timeoutMs });
}

afterEach(() => {
  vi.restoreAllMocks();
});

beforeEach(() => {
  vi.spyOn(console, "warn").mockImplementation(() => undefined);
  vi.spyOn(console, "log").mockImplementation(() => undefined);
});

describe("OpenAI provider", () => {
  it("posts a strict JSON-schema request and answers with the parsed message content", async () => {
    const input = accountInput(criticalAccount());
    const answer = modelAnswer(input);
    const { fetcher, sent } = fakeFetch(() => json(completion(JSON.stringify(answer))));

    const result = await run(fetcher, input);

    expect(result).toMatchObject({ source: "openai", model: MODEL, fallback_code: null, fallback_reason: null });
    expect(result.insight).toEqual(answer);
    expect(sent).toHaveLength(1);
    const [request] = sent;
    expect(request?.url).toBe(`${BASE_URL}/chat/completions`);
    expect(request?.init.method).toBe("POST");
    const headers = new Headers(request?.init.headers);
    expect(headers.get("authorization")).toBe(`Bearer ${KEY}`);
    expect(headers.get("content-type")).toBe("application/json");
    expect(request?.init.signal).toBeInstanceOf(AbortSignal);
    const body = JSON.parse(String(request?.init.body));
    expect(body).toMatchObject({
      model: MODEL,
      temperature: 0,
      max_completion_tokens: expect.any(Number),
      response_format: {
        type: "json_schema",
        json_schema: { name: "account_insight", strict: true, schema: accountInsightJsonSchema },
      },
    });
    expect(body.messages.map((message: { role: string }) => message.role)).toEqual(["system", "user"]);
    expect(body.messages[0].content).toContain("Use only the figures in the DATA JSON");
  });

  it("accepts a base URL with a trailing slash", async () => {
    const input = accountInput(criticalAccount());
    const { fetcher, sent } = fakeFetch(() => json(completion(JSON.stringify(modelAnswer(input)))));
    await provider(fetcher, `${BASE_URL}/`).accountInsight(input, new AbortController().signal);
    expect(sent[0]?.url).toBe(`${BASE_URL}/chat/completions`);
  });

  it("falls back on a 429, with the API's message in the reason", async () => {
    const input = accountInput(criticalAccount());
    const { fetcher } = fakeFetch(() =>
      json(
        {
          error: {
            message: "Rate limit reached for gpt-4o-mini in organization org-abc on requests per min (RPM): Limit 3, Used 3, Requested 1.",
            type: "requests",
            param: null,
            code: "rate_limit_exceeded",
          },
        },
        429,
      ),
    );
    const result = await run(fetcher, input);
    expect(result).toMatchObject({ source: "rules", model: null, fallback_code: "rate_limited" });
    expect(result.fallback_reason).toBe(
      `openai (${MODEL}): OpenAI answered HTTP 429: Rate limit reached for gpt-4o-mini in organization org-abc on requests per min (RPM): Limit 3, Used 3, Requested 1.`,
    );
    expect(result.insight).toEqual(rulesAccountInsight(input));
  });

  it("falls back on a 500", async () => {
    const input = accountInput(criticalAccount());
    const { fetcher } = fakeFetch(() => json({ error: { message: "The server had an error while processing your request.", type: "server_error" } }, 500));
    const result = await run(fetcher, input);
    expect(result).toMatchObject({ source: "rules", fallback_code: "http_error" });
    expect(result.fallback_reason).toContain("HTTP 500: The server had an error while processing your request.");
  });

  it("falls back when the content is malformed JSON", async () => {
    const input = accountInput(criticalAccount());
    const { fetcher } = fakeFetch(() => json(completion('{"summary": "Umbrella Inc is Critical", "health_analysis": ')));
    const result = await run(fetcher, input);
    expect(result).toMatchObject({ source: "rules", fallback_code: "invalid_json" });
    expect(result.fallback_reason).toContain("OpenAI answered text that is not JSON");
    expect(result.insight).toEqual(rulesAccountInsight(input));
  });

  it("falls back on a refusal", async () => {
    const input = accountInput(criticalAccount());
    const { fetcher } = fakeFetch(() => json(completion(null, "I'm sorry, but I can't help with that request.")));
    const result = await run(fetcher, input);
    expect(result).toMatchObject({ source: "rules", fallback_code: "refusal" });
    expect(result.fallback_reason).toBe(`openai (${MODEL}): OpenAI refused: I'm sorry, but I can't help with that request.`);
  });

  it("falls back when the answer was cut off at the token limit", async () => {
    const input = accountInput(criticalAccount());
    const { fetcher } = fakeFetch(() => json(completion('{"summary": "Umbrel', null, "length")));
    const result = await run(fetcher, input);
    expect(result).toMatchObject({ source: "rules", fallback_code: "invalid_json" });
    expect(result.fallback_reason).toContain("cut off at the token limit");
  });

  it("falls back when the network fails, and when the API hangs past the timeout", async () => {
    const input = accountInput(criticalAccount());
    const down = fakeFetch(() => {
      throw new TypeError("fetch failed");
    });
    const failed = await run(down.fetcher, input);
    expect(failed).toMatchObject({ source: "rules", fallback_code: "provider_error" });
    expect(failed.fallback_reason).toContain("OpenAI request failed: fetch failed");

    const hanging = fakeFetch(
      ({ init }) =>
        new Promise<Response>((_, reject) => {
          init.signal?.addEventListener("abort", () => reject(init.signal?.reason));
        }),
    );
    const result = await run(hanging.fetcher, input, 50);
    expect(result).toMatchObject({ source: "rules", fallback_code: "timeout" });
    expect(result.fallback_reason).toBe(`openai (${MODEL}): no answer within 50 ms`);
    expect(hanging.sent[0]?.init.signal?.aborted).toBe(true);
  });

  it("writes portfolio insights with the portfolio schema", async () => {
    const input = portfolioInput(samplePortfolio(), { include_recommendations: true });
    const answer = {
      summary: "5 accounts.",
      key_findings: ["One finding."],
      top_risks: ["Stark Industries."],
      opportunities: ["Globex Inc."],
    };
    const { fetcher, sent } = fakeFetch(() => json(completion(JSON.stringify(answer))));
    const result = await runPortfolioInsight({ provider: provider(fetcher), unavailable: null }, input, {
      timeoutMs: 1_000,
    });
    expect(result).toMatchObject({ source: "openai", model: MODEL, insight: answer });
    const body = JSON.parse(String(sent[0]?.init.body));
    expect(body.response_format.json_schema).toEqual({ name: "portfolio_insight", strict: true, schema: portfolioInsightJsonSchema });
  });
});

import { afterEach, describe, expect, it, vi } from "vitest";
import type { AccountInsightInput } from "../../src/insights/provider";
import { rulesAccountInsight } from "../../src/insights/rules-account";
import { rulesPortfolioInsight } from "../../src/insights/rules-portfolio";
import { accountInsightJsonSchema, portfolioInsightJsonSchema, type AccountInsight } from "../../src/insights/schema";
import { runAccountInsight, runPortfolioInsight } from "../../src/insights/select";
import { WorkersAiProvider, type AiBinding } from "../../src/insights/workers-ai";
import { accountInput, atRiskAccount, portfolioInput, samplePortfolio } from "./fixtures";

const MODEL = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";

interface Call {
  model: string;
  inputs: Record<string, unknown>;
  options?: { signal?: AbortSignal };
}

/** A stand-in for the `AI` binding: records each call and answers with `respond`. */
function fakeAi(respond: (call: Call) => Promise<unknown>): { ai: AiBinding; calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    ai: {
      run(model, inputs, options) {
        const call = { model, inputs, options };
        calls.push(call);
        return respond(call);
      },
    },
  };
}

/** What a model following the prompt answers: grounded text, 3 actions from the playbooks offered. */
function modelAnswer(input: AccountInsightInput): AccountInsight {
  const [first, second, third] = input.recommendations;
  return {
    summary: `Initech Corp is At-Risk with a health score of ${input.account.health_score} and $300,000 ARR.`,
    health_analysis: "Feature adoption is the weakest component; the score slipped over 30 days.",
    risk_factors: ["Renewal at risk", "Low feature adoption", "Low or falling NPS"],
    recommended_actions: [first, second, third].map((recommendation, index) => ({
      title: `Run the ${recommendation?.playbook.title}`,
      description: "Address the renewal risk with the executive sponsor.",
      priority: index === 0 ? "High" : "Medium",
      estimated_impact: recommendation?.playbook.expected_outcome ?? "",
      playbook_id: recommendation?.playbook.id ?? 0,
    })),
  };
}

const usage = { prompt_tokens: 1834, completion_tokens: 412, total_tokens: 2246 };

function run(ai: AiBinding, input: AccountInsightInput, timeoutMs = 1_000, model = MODEL) {
  return runAccountInsight({ provider: new WorkersAiProvider(ai, model), unavailable: null }, input, { timeoutMs });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("Workers AI provider", () => {
  it("answers with the model's JSON-mode output and sends the schema, messages and temperature 0", async () => {
    const input = accountInput(atRiskAccount());
    const answer = modelAnswer(input);
    const { ai, calls } = fakeAi(async () => ({ response: answer, usage }));

    const result = await run(ai, input);

    expect(result).toMatchObject({ source: "workers-ai", model: MODEL, fallback_code: null, fallback_reason: null });
    expect(result.insight).toEqual(answer);
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call?.model).toBe(MODEL);
    expect(call?.inputs).toMatchObject({
      temperature: 0,
      max_tokens: expect.any(Number),
      // Llama 3.3 is on the JSON-mode list: the schema goes in bare.
      response_format: { type: "json_schema", json_schema: accountInsightJsonSchema },
    });
    const messages = call?.inputs.messages as { role: string; content: string }[];
    expect(messages.map((message) => message.role)).toEqual(["system", "user"]);
    expect(messages[1]?.content).toContain('"account_name": "Initech Corp"');
    expect(call?.options?.signal).toBeInstanceOf(AbortSignal);
  });

  it("reads a response given as JSON text", async () => {
    const input = accountInput(atRiskAccount());
    const { ai } = fakeAi(async () => ({ response: JSON.stringify(modelAnswer(input)), usage }));
    const result = await run(ai, input);
    expect(result.source).toBe("workers-ai");
    expect(result.insight).toEqual(modelAnswer(input));
  });

  it("sends OpenAI's response format to a newer model and reads its Chat Completion", async () => {
    const input = accountInput(atRiskAccount());
    const model = "@cf/zai-org/glm-4.7-flash";
    const { ai, calls } = fakeAi(async () => ({
      id: "chatcmpl-7f3a",
      object: "chat.completion",
      created: 1_793_491_200,
      model,
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: JSON.stringify(modelAnswer(input)) },
          finish_reason: "stop",
        },
      ],
      usage,
    }));
    const result = await run(ai, input, 1_000, model);
    expect(result).toMatchObject({ source: "workers-ai", model });
    expect(calls[0]?.inputs.response_format).toEqual({
      type: "json_schema",
      json_schema: { name: "account_insight", schema: accountInsightJsonSchema, strict: true },
    });
  });

  it("falls back to the rules when the model answers garbage", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const input = accountInput(atRiskAccount());
    const { ai } = fakeAi(async () => ({ response: "Sure! Here are some insights about Initech Corp...", usage }));

    const result = await run(ai, input);

    expect(result).toMatchObject({ source: "rules", model: null, fallback_code: "invalid_json" });
    expect(result.fallback_reason).toBe(
      `workers-ai (${MODEL}): Workers AI answered text that is not JSON: Sure! Here are some insights about Initech Corp...`,
    );
    expect(result.insight).toEqual(rulesAccountInsight(input));
    expect(warn).toHaveBeenCalledTimes(1);
    expect(JSON.parse(String(warn.mock.calls[0]?.[0]))).toMatchObject({
      level: "warn",
      scope: "account",
      source: "workers-ai",
      code: "invalid_json",
    });
  });

  it("falls back when the JSON has 2 actions, or an action applies a playbook that was not offered", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const input = accountInput(atRiskAccount());
    const answer = modelAnswer(input);

    const short = await run(fakeAi(async () => ({ response: { ...answer, recommended_actions: answer.recommended_actions.slice(0, 2) } })).ai, input);
    expect(short).toMatchObject({ source: "rules", fallback_code: "schema_mismatch" });
    expect(short.fallback_reason).toContain("recommended_actions");

    const offered = new Set(input.recommendations.map((recommendation) => recommendation.playbook.id));
    const notOffered = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].find((id) => !offered.has(id));
    expect(notOffered).toBeDefined();
    const foreign = {
      ...answer,
      recommended_actions: answer.recommended_actions.map((action, index) =>
        index === 2 ? { ...action, playbook_id: notOffered ?? 0 } : action,
      ),
    };
    const result = await run(fakeAi(async () => ({ response: foreign })).ai, input);
    // The action is the checks' to replace: the rules' action whose playbook the two kept actions do not apply.
    expect(result).toMatchObject({ source: "workers-ai+rules", fallback_code: null, checks: { replaced: ["recommended_actions[2]"] } });
    const kept = result.insight.recommended_actions.slice(0, 2).map((action) => action.playbook_id);
    expect(result.insight.recommended_actions[2]).toEqual(
      rulesAccountInsight(input).recommended_actions.find((action) => !kept.includes(action.playbook_id)),
    );
  });

  it("falls back when the model hangs past the timeout, and aborts the call", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const input = accountInput(atRiskAccount());
    const { ai, calls } = fakeAi(() => new Promise(() => undefined));

    const started = Date.now();
    const result = await run(ai, input, 50);

    expect(Date.now() - started).toBeLessThan(1_000);
    expect(result).toMatchObject({ source: "rules", fallback_code: "timeout" });
    expect(result.fallback_reason).toBe(`workers-ai (${MODEL}): no answer within 50 ms`);
    expect(calls[0]?.options?.signal?.aborted).toBe(true);
    expect(result.insight).toEqual(rulesAccountInsight(input));
  });

  it.each([
    ["JSON Mode couldn't be met", "AiError: 5024: JSON Mode couldn't be met", "json_mode_failed"],
    ["out of capacity", "InferenceUpstreamError: 3040: Capacity temporarily exceeded, please try again.", "rate_limited"],
    ["any other error", "Network connection lost.", "provider_error"],
  ])("falls back when the binding throws (%s)", async (_, message, code) => {
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const input = accountInput(atRiskAccount());
    const { ai } = fakeAi(async () => {
      throw new Error(message);
    });
    const result = await run(ai, input);
    expect(result).toMatchObject({ source: "rules", model: null, fallback_code: code });
    expect(result.fallback_reason).toContain(message);
    expect(result.insight).toEqual(rulesAccountInsight(input));
  });

  it("writes portfolio insights too, and falls back to the rules' portfolio analysis", async () => {
    const input = portfolioInput(samplePortfolio(), { focus_areas: ["Enterprise"] });
    const answer = {
      summary: "5 accounts with $2,630,000 ARR.",
      key_findings: ["Stark Industries carries $900,000 ARR at risk."],
      top_risks: ["Stark Industries (At-Risk, $900,000 ARR): high support load."],
      opportunities: ["Globex Inc is growing."],
    };
    const { ai, calls } = fakeAi(async () => ({ response: answer, usage }));
    const provider = new WorkersAiProvider(ai, MODEL);
    const result = await runPortfolioInsight({ provider, unavailable: null }, input, { timeoutMs: 1_000 });
    expect(result).toMatchObject({ source: "workers-ai", insight: answer });
    expect(calls[0]?.inputs.response_format).toEqual({ type: "json_schema", json_schema: portfolioInsightJsonSchema });

    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const broken = fakeAi(async () => ({ response: { summary: "Only a summary" } }));
    const fallback = await runPortfolioInsight(
      { provider: new WorkersAiProvider(broken.ai, MODEL), unavailable: null },
      input,
      { timeoutMs: 1_000 },
    );
    expect(fallback).toMatchObject({ source: "rules", fallback_code: "schema_mismatch" });
    expect(fallback.insight).toEqual(rulesPortfolioInsight(input));
  });
});

import { createExecutionContext, env, SELF, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import type { RecommendedAction } from "../../src/insights/schema";
import type { AiBinding } from "../../src/insights/workers-ai";
import type { Problem } from "../../src/contract/problems";
import type { RecommendationsResponse } from "../../src/contract/actions";
import type { AccountInsightResponse, PortfolioInsightResponse } from "../../src/contract/insights";
import { resetDatabase } from "../helpers/db";
import {
  CRITICAL_NO_NPS,
  HEALTHY_GROWING,
  metricsCsv,
  PORTFOLIO_END,
  seedSampleAccounts,
  SLIPPING,
  uploadCsv,
} from "../helpers/csv";

/** The DATA JSON a prompt hands the model. */
function promptData(messages: { role: string; content: string }[]): Record<string, unknown> {
  const user = messages.find((message) => message.role === "user")?.content ?? "";
  return JSON.parse(user.slice(user.indexOf("{"))) as Record<string, unknown>;
}

/** What a model following the account prompt writes: grounded text and 3 actions from the playbooks offered. */
function modelAccountAnswer(data: Record<string, unknown>) {
  const account = data.account as { account_name: string; health_score: number };
  const playbooks = data.playbooks as { playbook_id: number; title: string; expected_outcome: string }[];
  return {
    summary: `${account.account_name} scores ${account.health_score}; adoption and support load drive the risk.`,
    health_analysis: "Feature adoption and support tickets are the weakest components.",
    risk_factors: ["Low feature adoption"],
    recommended_actions: playbooks.slice(0, 3).map((playbook, index) => ({
      title: `Start the ${playbook.title}`,
      description: `Apply ${playbook.title} this month.`,
      priority: index === 0 ? "High" : "Medium",
      estimated_impact: playbook.expected_outcome,
      playbook_id: playbook.playbook_id,
    })),
  };
}

interface AiCall {
  model: string;
  inputs: { messages: { role: string; content: string }[]; response_format: unknown; temperature: number };
}

/** The `AI` binding faked at its boundary: Workers AI JSON mode answers `{response, usage}`. */
function fakeAi(answer: (call: AiCall) => unknown): { ai: AiBinding; calls: AiCall[] } {
  const calls: AiCall[] = [];
  return {
    calls,
    ai: {
      async run(model, inputs) {
        const call = { model, inputs } as AiCall;
        calls.push(call);
        return { response: answer(call), usage: { prompt_tokens: 1910, completion_tokens: 402, total_tokens: 2312 } };
      },
    },
  };
}

/** Calls the Worker with extra bindings and vars, as a deployment with them configured would run. */
async function callWorker(path: string, extraEnv: Record<string, unknown>, init: RequestInit = { method: "POST" }) {
  const ctx = createExecutionContext();
  const request = new Request(`http://example.com${path}`, init) as Parameters<typeof worker.fetch>[0];
  const response = await worker.fetch(request, { ...env, ...extraEnv } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

function postAccountInsight(id: number | string, query = "") {
  return SELF.fetch(`http://example.com/insights/account/${id}${query}`, { method: "POST" });
}

function postPortfolioInsight(body?: unknown, query = "") {
  return SELF.fetch(`http://example.com/insights/portfolio${query}`, {
    method: "POST",
    ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
}

let ids: Record<string, number>;

beforeEach(async () => {
  await resetDatabase();
  ids = await seedSampleAccounts();
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("POST /insights/account/{id} with the rules (local default)", () => {
  it("answers every account with its figures and exactly 3 actions tied to recommended, existing playbooks", async () => {
    for (const series of [HEALTHY_GROWING, SLIPPING, CRITICAL_NO_NPS]) {
      const id = ids[series.name] as number;
      const response = await postAccountInsight(id);
      expect(response.status, series.name).toBe(200);
      const body = await response.json<AccountInsightResponse>();
      const recommended = await (
        await SELF.fetch(`http://example.com/actions/recommend?account_id=${id}`, { method: "POST" })
      ).json<RecommendationsResponse>();

      expect(body).toMatchObject({ account_id: id, account_name: series.name, source: "rules", model: null, cached: false });
      expect(body.fallback_code).toBeNull();
      expect(body.summary).toContain(series.name);
      expect(body.summary).toContain(String(body.based_on.health_score));
      expect(body.recommended_actions).toHaveLength(3);
      const actionPlaybooks = body.recommended_actions.map((action) => action.playbook_id);
      expect(new Set(actionPlaybooks).size).toBe(3);
      expect(actionPlaybooks).toEqual(recommended.recommendations.slice(0, 3).map((item) => item.playbook.id));
      expect(body.based_on.playbook_ids).toEqual(recommended.recommendations.map((item) => item.playbook.id));
      expect(body.risk_factors).toEqual(
        recommended.risk_factors.filter((factor) => factor.kind === "risk").map((factor) => factor.label),
      );
    }
  });

  it("serves the stored answer while the data is unchanged, a new one with refresh=true, and a new one after an upload", async () => {
    const id = ids[SLIPPING.name] as number;
    const first = await (await postAccountInsight(id)).json<AccountInsightResponse>();
    const again = await (await postAccountInsight(id)).json<AccountInsightResponse>();
    expect(again.cached).toBe(true);
    expect(again.generated_at).toBe(first.generated_at);
    expect(again.summary).toBe(first.summary);

    const refreshed = await (await postAccountInsight(id, "?refresh=true")).json<AccountInsightResponse>();
    expect(refreshed.cached).toBe(false);
    expect(refreshed.generated_at >= first.generated_at).toBe(true);

    // One more day of metrics for the account changes its figures: the stored answer no longer applies.
    await uploadCsv(metricsCsv([{ ...SLIPPING, end: "2026-11-01", days: 1 }]));
    const afterUpload = await (await postAccountInsight(id)).json<AccountInsightResponse>();
    expect(afterUpload.cached).toBe(false);
  });

  it("answers 404 for an unknown account and 400 for an id that is not a positive whole number", async () => {
    const unknown = await postAccountInsight(424242);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-type")).toBe("application/problem+json");
    for (const id of ["abc", "0", "1e3", "-1"]) {
      const response = await postAccountInsight(id);
      expect(response.status, id).toBe(400);
      expect((await response.json<Problem>()).errors?.[0]?.field).toBe("id");
    }
    const badRefresh = await postAccountInsight(ids[SLIPPING.name] as number, "?refresh=maybe");
    expect(badRefresh.status).toBe(400);
  });
});

describe("POST /insights/account/{id} with Workers AI (faked AI binding)", () => {
  it("answers with the model's grounded output, sends the figures at temperature 0, and caches the answer", async () => {
    const { ai, calls } = fakeAi((call) => modelAccountAnswer(promptData(call.inputs.messages)));
    const id = ids[SLIPPING.name] as number;
    const response = await callWorker(`/insights/account/${id}`, { AI: ai });
    expect(response.status).toBe(200);
    const body = await response.json<AccountInsightResponse>();
    expect(body).toMatchObject({ source: "workers-ai", model: "@cf/meta/llama-3.3-70b-instruct-fp8-fast", cached: false });
    expect(body.summary).toBe(`${SLIPPING.name} scores ${body.based_on.health_score}; adoption and support load drive the risk.`);
    // The response lists the computed risk factors, not the model's own list.
    expect(body.risk_factors).toEqual(
      body.based_on.risk_factors.filter((factor) => factor.kind === "risk").map((factor) => factor.label),
    );
    expect(calls).toHaveLength(1);
    expect(calls[0]?.inputs.temperature).toBe(0);
    const data = promptData(calls[0]?.inputs.messages ?? []);
    expect(data.account).toMatchObject({ account_name: SLIPPING.name, health_score: body.based_on.health_score });

    const cached = await (await callWorker(`/insights/account/${id}`, { AI: ai })).json<AccountInsightResponse>();
    expect(cached).toMatchObject({ source: "workers-ai", cached: true, summary: body.summary });
    expect(calls).toHaveLength(1);

    await callWorker(`/insights/account/${id}?refresh=true`, { AI: ai });
    expect(calls).toHaveLength(2);
  });

  it("falls back to the rules with the reason when the model answers garbage, and does not store that answer", async () => {
    const { ai, calls } = fakeAi(() => "Sure! Here are some insights about the account: it is doing fine.");
    const id = ids[SLIPPING.name] as number;
    const body = await (await callWorker(`/insights/account/${id}`, { AI: ai })).json<AccountInsightResponse>();
    expect(body).toMatchObject({ source: "rules", model: null, cached: false, fallback_code: "invalid_json" });
    expect(body.fallback_reason).toContain("workers-ai (@cf/meta/llama-3.3-70b-instruct-fp8-fast)");
    expect(body.recommended_actions).toHaveLength(3);

    await callWorker(`/insights/account/${id}`, { AI: ai });
    expect(calls).toHaveLength(2);
  });

  it("replaces an action that applies a playbook the account was not offered with the rules' action", async () => {
    const { ai } = fakeAi((call) => {
      const answer = modelAccountAnswer(promptData(call.inputs.messages));
      const offered = (promptData(call.inputs.messages).playbooks as { playbook_id: number }[]).map((p) => p.playbook_id);
      const notOffered = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].find((playbookId) => !offered.includes(playbookId)) ?? 1;
      answer.recommended_actions[2] = { ...(answer.recommended_actions[2] as RecommendedAction), playbook_id: notOffered };
      return answer;
    });
    const body = await (await callWorker(`/insights/account/${ids[HEALTHY_GROWING.name]}`, { AI: ai })).json<AccountInsightResponse>();
    expect(body).toMatchObject({ source: "workers-ai+rules", fallback_code: null, checks: { replaced: ["recommended_actions[2]"] } });
    expect(body.recommended_actions.every((action) => body.based_on.playbook_ids.includes(action.playbook_id))).toBe(true);
  });
});

describe("POST /insights/account/{id} with OpenAI (faked HTTP API)", () => {
  function chatCompletion(content: string) {
    return {
      id: "chatcmpl-CFq2mXv8Lr0aK1bT7nQ9pZ",
      object: "chat.completion",
      created: 1_795_600_000,
      model: "gpt-4o-mini-2024-07-18",
      choices: [{ index: 0, message: { role: "assistant", content, refusal: null, annotations: [] }, logprobs: null, finish_reason: "stop" }],
      usage: { prompt_tokens: 2011, completion_tokens: 388, total_tokens: 2399 },
      service_tier: "default",
      system_fingerprint: "fp_0ba0d124f1",
    };
  }

  it("answers from the Chat Completions API with a strict JSON schema when OPENAI_API_KEY is set", async () => {
    const fetchSpy = vi.spyOn(globalThis, "fetch").mockImplementation(async (_input, init) => {
      const request = JSON.parse(String(init?.body)) as { messages: { role: string; content: string }[] };
      const answer = modelAccountAnswer(promptData(request.messages));
      return new Response(JSON.stringify(chatCompletion(JSON.stringify(answer))), {
        status: 200,
        headers: { "content-type": "application/json" },
      });
    });
    const id = ids[CRITICAL_NO_NPS.name] as number;
    const body = await (await callWorker(`/insights/account/${id}`, { OPENAI_API_KEY: "sk-test-key" })).json<AccountInsightResponse>();
    expect(body).toMatchObject({ source: "openai", model: "gpt-4o-mini", cached: false, fallback_code: null });
    expect(fetchSpy).toHaveBeenCalledTimes(1);
    const [url, init] = fetchSpy.mock.calls[0] ?? [];
    expect(String(url)).toBe("https://api.openai.com/v1/chat/completions");
    expect(new Headers(init?.headers).get("authorization")).toBe("Bearer sk-test-key");
    expect(JSON.parse(String(init?.body))).toMatchObject({
      model: "gpt-4o-mini",
      temperature: 0,
      response_format: { type: "json_schema", json_schema: { name: "account_insight", strict: true } },
    });
  });

  it("falls back to the rules on a 429, saying so", async () => {
    vi.spyOn(globalThis, "fetch").mockResolvedValue(
      new Response(
        JSON.stringify({ error: { message: "Rate limit reached for gpt-4o-mini", type: "requests", code: "rate_limit_exceeded" } }),
        { status: 429, headers: { "content-type": "application/json" } },
      ),
    );
    const body = await (
      await callWorker(`/insights/account/${ids[SLIPPING.name]}`, { OPENAI_API_KEY: "sk-test-key" })
    ).json<AccountInsightResponse>();
    expect(body).toMatchObject({ source: "rules", fallback_code: "rate_limited", cached: false });
    expect(body.fallback_reason).toContain("HTTP 429");
  });
});

describe("POST /insights/portfolio", () => {
  it("without a body answers the original's fields with the defaults: recommendations included, no focus", async () => {
    const response = await postPortfolioInsight();
    expect(response.status).toBe(200);
    const body = await response.json<PortfolioInsightResponse>();
    expect(body).toMatchObject({ source: "rules", cached: false, focus_areas: [] });
    expect(body.summary).toContain("3 accounts with $1,524,000 ARR");
    expect(body.based_on).toMatchObject({ total_accounts: 3, total_arr: 1_524_000 });
    expect(body.key_findings.length).toBeGreaterThan(0);
    expect(body.top_risks.length).toBeGreaterThan(0);
    expect(body.recommendations.length).toBeGreaterThan(0);
    // The accounts to focus on first: those at risk, by ARR.
    expect(body.focus_accounts.map((account) => account.account_name)).toEqual([SLIPPING.name, CRITICAL_NO_NPS.name]);
    expect(body.based_on.arr_at_risk).toBe(SLIPPING.arr + CRITICAL_NO_NPS.arr);
  });

  it("honours focus_areas and include_recommendations, and caches per request", async () => {
    const request = { include_recommendations: false, focus_areas: ["data quality", " APAC ", "apac"] };
    const body = await (await postPortfolioInsight(request)).json<PortfolioInsightResponse>();
    expect(body.focus_areas).toEqual(["data quality", "APAC"]);
    expect(body.key_findings[0]).toMatch(/^Focus "data quality": Incomplete or stale data affects 1 of the 2 accounts at risk/);
    expect(body.key_findings[1]).toMatch(/^Focus "APAC": 1 account in APAC with \$24,000 ARR/);
    expect(body.recommendations).toEqual([]);

    expect((await (await postPortfolioInsight(request)).json<PortfolioInsightResponse>()).cached).toBe(true);
    expect((await (await postPortfolioInsight({ focus_areas: ["churn"] })).json<PortfolioInsightResponse>()).cached).toBe(false);
    expect((await (await postPortfolioInsight(request, "?refresh=true")).json<PortfolioInsightResponse>()).cached).toBe(false);
  });

  it("answers 400 problem+json for a body of the wrong shape or malformed JSON", async () => {
    const wrongShape = await postPortfolioInsight({ focus_areas: "churn" });
    expect(wrongShape.status).toBe(400);
    expect((await wrongShape.json<Problem>()).errors?.[0]?.field).toBe("focus_areas");
    const tooMany = await postPortfolioInsight({ focus_areas: Array.from({ length: 11 }, (_, index) => `area ${index}`) });
    expect(tooMany.status).toBe(400);
    const malformed = await SELF.fetch("http://example.com/insights/portfolio", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get("content-type")).toBe("application/problem+json");
  });

  it("answers an empty portfolio without inventing figures", async () => {
    await resetDatabase();
    const body = await (await postPortfolioInsight()).json<PortfolioInsightResponse>();
    expect(body.summary).toBe("The portfolio has no accounts yet: upload daily metrics to get an analysis.");
    expect(body.focus_accounts).toEqual([]);
    expect(body.based_on).toMatchObject({ total_accounts: 0, total_arr: 0 });
  });

  it("uses Workers AI when the binding exists, and falls back to the rules when it fails", async () => {
    const { ai, calls } = fakeAi((call) => {
      const data = promptData(call.inputs.messages) as { portfolio: { total_accounts: number; arr_at_risk: number } };
      return {
        summary: `${data.portfolio.total_accounts} accounts; $${data.portfolio.arr_at_risk} ARR at risk.`,
        key_findings: ["Contoso Retail is slipping."],
        top_risks: ["Contoso Retail ($300,000 ARR): Renewal at risk."],
        opportunities: ["Northwind Traders is growing."],
      };
    });
    const body = await (await callWorker("/insights/portfolio", { AI: ai })).json<PortfolioInsightResponse>();
    expect(body).toMatchObject({ source: "workers-ai", summary: "3 accounts; $324000 ARR at risk." });
    expect(calls[0]?.inputs.response_format).toMatchObject({ type: "json_schema" });

    const failing: AiBinding = {
      run: async () => {
        throw new Error("AiError: 3040: Capacity temporarily exceeded, please try again.");
      },
    };
    const fallback = await (await callWorker("/insights/portfolio?refresh=true", { AI: failing })).json<PortfolioInsightResponse>();
    expect(fallback).toMatchObject({ source: "rules", fallback_code: "rate_limited" });
    expect(fallback.summary).toContain(`as of ${PORTFOLIO_END}`);
  });
});

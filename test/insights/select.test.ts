import { afterEach, describe, expect, it, vi } from "vitest";
import { OpenAiProvider } from "../../src/insights/openai";
import { RulesProvider } from "../../src/insights/rules";
import { rulesAccountInsight } from "../../src/insights/rules-account";
import { rulesPortfolioInsight } from "../../src/insights/rules-portfolio";
import { chooseProvider, runAccountInsight, runPortfolioInsight } from "../../src/insights/select";
import { WorkersAiProvider, type AiBinding } from "../../src/insights/workers-ai";
import { parseConfig, type InsightsConfig } from "../../src/lib/config";
import { accountInput, atRiskAccount, portfolioInput, samplePortfolio } from "./fixtures";

function insightsConfig(vars: Record<string, string> = {}): InsightsConfig {
  return parseConfig(vars).insights;
}

const ai: AiBinding = {
  run: async () => {
    throw new Error("not called in these tests");
  },
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe("chooseProvider", () => {
  it("auto: OpenAI when a key is set, else Workers AI when the binding exists, else the rules", () => {
    const withKey = chooseProvider(insightsConfig({ OPENAI_API_KEY: "sk-test" }), { ai });
    expect(withKey.provider).toBeInstanceOf(OpenAiProvider);
    expect(withKey.provider).toMatchObject({ source: "openai", model: "gpt-4o-mini" });

    const withBinding = chooseProvider(insightsConfig(), { ai });
    expect(withBinding.provider).toBeInstanceOf(WorkersAiProvider);
    expect(withBinding.provider.model).toBe("@cf/meta/llama-3.3-70b-instruct-fp8-fast");

    const local = chooseProvider(insightsConfig());
    expect(local).toEqual({ provider: expect.any(RulesProvider), unavailable: null });
  });

  it("honours an explicit choice, and the configured models", () => {
    const config = insightsConfig({
      OPENAI_API_KEY: "sk-test",
      OPENAI_MODEL: "gpt-4.1-mini",
      WORKERS_AI_MODEL: "@cf/zai-org/glm-4.7-flash",
    });
    expect(chooseProvider({ ...config, provider: "rules" }, { ai }).provider.source).toBe("rules");
    expect(chooseProvider({ ...config, provider: "workers-ai" }, { ai }).provider).toMatchObject({
      source: "workers-ai",
      model: "@cf/zai-org/glm-4.7-flash",
    });
    expect(chooseProvider({ ...config, provider: "openai" }, { ai }).provider).toMatchObject({
      source: "openai",
      model: "gpt-4.1-mini",
    });
  });

  it("says why when the chosen provider cannot run, and the rules answer with that reason", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const noKey = chooseProvider(insightsConfig({ INSIGHTS_PROVIDER: "openai" }));
    expect(noKey.unavailable).toBe("INSIGHTS_PROVIDER is openai but the OPENAI_API_KEY secret is not set");
    const noBinding = chooseProvider(insightsConfig({ INSIGHTS_PROVIDER: "workers-ai" }));
    expect(noBinding.unavailable).toBe("INSIGHTS_PROVIDER is workers-ai but there is no AI binding in this environment");

    const input = accountInput(atRiskAccount());
    const result = await runAccountInsight(noKey, input, { timeoutMs: 1_000 });
    expect(result).toMatchObject({
      source: "rules",
      model: null,
      fallback_code: "not_configured",
      fallback_reason: "INSIGHTS_PROVIDER is openai but the OPENAI_API_KEY secret is not set",
    });
    expect(result.insight).toEqual(rulesAccountInsight(input));
    expect(warn).toHaveBeenCalledTimes(1);
  });
});

describe("generate with the rules", () => {
  it("answers from the rules without a fallback reason when nothing else is configured", async () => {
    const choice = chooseProvider(insightsConfig());
    const account = accountInput(atRiskAccount());
    const accountResult = await runAccountInsight(choice, account, { timeoutMs: 1_000 });
    expect(accountResult).toMatchObject({ source: "rules", model: null, fallback_code: null, fallback_reason: null });
    expect(accountResult.insight).toEqual(rulesAccountInsight(account));
    expect(accountResult.duration_ms).toBeGreaterThanOrEqual(0);

    const portfolio = portfolioInput(samplePortfolio(), { focus_areas: ["EU"] });
    const portfolioResult = await runPortfolioInsight(choice, portfolio, { timeoutMs: 1_000 });
    expect(portfolioResult).toMatchObject({ source: "rules", fallback_code: null });
    expect(portfolioResult.insight).toEqual(rulesPortfolioInsight(portfolio));
    expect(portfolioResult.insight.key_findings[0]).toMatch(/^Focus "EU": 1 account in EU/);
  });
});

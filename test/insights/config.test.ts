import { describe, expect, it } from "vitest";
import { DEFAULT_HEALTH_CONFIG } from "../../src/domain/health";
import { ConfigError, parseConfig } from "../../src/lib/config";

describe("insights configuration", () => {
  it("defaults to auto, Llama 3.3 on Workers AI, gpt-4o-mini on api.openai.com, no key and 15 s", () => {
    const config = parseConfig({});
    expect(config.insights).toEqual({
      provider: "auto",
      workersAiModel: "@cf/meta/llama-3.3-70b-instruct-fp8-fast",
      openAiApiKey: null,
      openAiModel: "gpt-4o-mini",
      openAiBaseUrl: "https://api.openai.com/v1",
      timeoutMs: 15_000,
    });
    expect(config.health).toEqual(DEFAULT_HEALTH_CONFIG);
  });

  it("reads every setting from vars and secrets, tolerating case, spaces and a trailing slash", () => {
    const config = parseConfig({
      INSIGHTS_PROVIDER: " OpenAI ",
      WORKERS_AI_MODEL: "@cf/zai-org/glm-4.7-flash",
      OPENAI_API_KEY: " sk-live-123 ",
      OPENAI_MODEL: "gpt-4.1-mini",
      OPENAI_BASE_URL: "https://gateway.ai.cloudflare.com/v1/acct/gw/openai/",
      INSIGHTS_TIMEOUT_MS: "8000",
    });
    expect(config.insights).toEqual({
      provider: "openai",
      workersAiModel: "@cf/zai-org/glm-4.7-flash",
      openAiApiKey: "sk-live-123",
      openAiModel: "gpt-4.1-mini",
      openAiBaseUrl: "https://gateway.ai.cloudflare.com/v1/acct/gw/openai",
      timeoutMs: 8_000,
    });
  });

  it("treats an empty key as unset", () => {
    expect(parseConfig({ OPENAI_API_KEY: "" }).insights.openAiApiKey).toBeNull();
    expect(parseConfig({ OPENAI_API_KEY: "   " }).insights.openAiApiKey).toBeNull();
  });

  it.each([
    ["INSIGHTS_PROVIDER", "anthropic"],
    ["OPENAI_BASE_URL", "not a url"],
    ["OPENAI_BASE_URL", "ftp://example.com"],
    ["INSIGHTS_TIMEOUT_MS", "0"],
    ["INSIGHTS_TIMEOUT_MS", "soon"],
  ])("fails fast on %s=%s, naming the variable", (name, value) => {
    expect(() => parseConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => parseConfig({ [name]: value })).toThrow(name);
  });
});

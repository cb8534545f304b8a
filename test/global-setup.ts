import type { TestProject } from "vitest/node";
import { startFakeOpenAi } from "../bench/lib/fake-openai";

/**
 * Starts the local OpenAI-compatible fake (bench/lib/fake-openai.ts) for the whole run: the insight tests point
 * OPENAI_BASE_URL at it, so every model answer they check comes over HTTP, as from OpenAI.
 */
export default async function setup(project: TestProject) {
  const fake = await startFakeOpenAi();
  project.provide("fakeOpenAiUrl", fake.url);
  return () => fake.stop();
}

declare module "vitest" {
  export interface ProvidedContext {
    fakeOpenAiUrl: string;
  }
}

import { describe, expect, it } from "vitest";
import { InsightProviderError } from "../../src/insights/provider-error";
import {
  accountInsightJsonSchema,
  accountInsightSchema,
  parseModelAnswer,
  portfolioInsightJsonSchema,
} from "../../src/insights/schema";

type JsonSchema = Record<string, unknown>;

/** Every object node of a JSON schema, with its path. */
function objectNodes(node: unknown, path = "$"): [string, JsonSchema][] {
  if (!node || typeof node !== "object") return [];
  const schema = node as JsonSchema;
  const here: [string, JsonSchema][] = schema.type === "object" ? [[path, schema]] : [];
  const properties = (schema.properties ?? {}) as Record<string, unknown>;
  return [
    ...here,
    ...Object.entries(properties).flatMap(([name, child]) => objectNodes(child, `${path}.${name}`)),
    ...objectNodes(schema.items, `${path}[]`),
  ];
}

function keywords(node: unknown): string[] {
  if (!node || typeof node !== "object") return [];
  const schema = node as JsonSchema;
  const properties = (schema.properties ?? {}) as Record<string, unknown>;
  return [
    ...Object.keys(schema),
    ...Object.values(properties).flatMap(keywords),
    ...keywords(schema.items),
  ];
}

const validAnswer = {
  summary: "Initech Corp is At-Risk at 52.4.",
  health_analysis: "Feature adoption is the weakest component at 8.4/25.",
  risk_factors: ["Low feature adoption"],
  recommended_actions: [1, 2, 9].map((playbook_id) => ({
    title: "Act",
    description: "Do it.",
    priority: "High",
    estimated_impact: "Better.",
    playbook_id,
  })),
};

describe("response JSON schemas", () => {
  it.each([
    ["account", accountInsightJsonSchema],
    ["portfolio", portfolioInsightJsonSchema],
  ])("the %s schema fits OpenAI strict mode: every property required, no additional properties", (_, schema) => {
    const objects = objectNodes(schema);
    expect(objects.length).toBeGreaterThan(0);
    for (const [path, node] of objects) {
      expect(node.additionalProperties, path).toBe(false);
      expect([...((node.required as string[]) ?? [])].sort(), path).toEqual(
        Object.keys(node.properties as JsonSchema).sort(),
      );
    }
    expect(keywords(schema)).not.toContain("$schema");
    expect(keywords(schema)).not.toContain("minLength");
  });

  it("asks for exactly 3 actions and restricts playbook_id to the integer ids 1-10", () => {
    const actions = (accountInsightJsonSchema.properties as Record<string, JsonSchema>).recommended_actions;
    expect(actions).toMatchObject({ type: "array", minItems: 3, maxItems: 3 });
    const action = actions?.items as JsonSchema;
    expect((action.properties as Record<string, unknown>).playbook_id).toEqual({
      type: "integer",
      enum: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      description: expect.stringContaining("playbook"),
    });
    expect((action.properties as Record<string, unknown>).priority).toMatchObject({ enum: ["High", "Medium", "Low"] });
  });
});

describe("parseModelAnswer", () => {
  function failure(answer: unknown): InsightProviderError {
    try {
      parseModelAnswer(answer, accountInsightSchema, "Model");
    } catch (error) {
      if (error instanceof InsightProviderError) return error;
      throw error;
    }
    throw new Error("expected the answer to be refused");
  }

  it("accepts an object, JSON text and JSON inside a markdown fence", () => {
    expect(parseModelAnswer(validAnswer, accountInsightSchema, "Model")).toEqual(validAnswer);
    expect(parseModelAnswer(JSON.stringify(validAnswer), accountInsightSchema, "Model")).toEqual(validAnswer);
    const fenced = `\`\`\`json\n${JSON.stringify(validAnswer, null, 2)}\n\`\`\``;
    expect(parseModelAnswer(fenced, accountInsightSchema, "Model")).toEqual(validAnswer);
  });

  it("refuses text that is not JSON as invalid_json", () => {
    const error = failure("The account looks fine to me.");
    expect(error.code).toBe("invalid_json");
    expect(error.message).toBe("Model answered text that is not JSON: The account looks fine to me.");
  });

  it("refuses 2 actions, an unknown playbook id and a wrong priority as schema_mismatch, naming the field", () => {
    const two = failure({ ...validAnswer, recommended_actions: validAnswer.recommended_actions.slice(0, 2) });
    expect(two.code).toBe("schema_mismatch");
    expect(two.message).toContain("recommended_actions:");

    const unknown = failure({
      ...validAnswer,
      recommended_actions: validAnswer.recommended_actions.map((action) => ({ ...action, playbook_id: 11 })),
    });
    expect(unknown.code).toBe("schema_mismatch");
    expect(unknown.message).toContain("recommended_actions.0.playbook_id");

    const priority = failure({
      ...validAnswer,
      recommended_actions: validAnswer.recommended_actions.map((action) => ({ ...action, priority: "Urgent" })),
    });
    expect(priority.message).toContain("recommended_actions.0.priority");
  });
});

import { z } from "@hono/zod-openapi";
import { ACCOUNT_INSIGHT_ACTIONS } from "../contract/insights";
import { PLAYBOOK_IDS, PLAYBOOK_PRIORITIES } from "../domain/playbooks";
import { InsightProviderError } from "./provider-error";

/**
 * The answers every insight provider must give, as zod schemas: the rules build them, the models' output is parsed
 * against them, and `responseJsonSchema()` turns them into the JSON schema sent as the models' response format.
 * Descriptions are written for the model as much as for the reader.
 */

const [firstPlaybookId, ...otherPlaybookIds] = PLAYBOOK_IDS;
if (firstPlaybookId === undefined) throw new Error("The playbook library is empty");

/** A non-empty text field of an answer, described for the model. */
function text(description: string) {
  return z.string().trim().min(1).describe(description);
}

export const recommendedActionSchema = z.object({
  title: text("Short imperative title of the action"),
  description: text("What to do and why, quoting only figures from the data given"),
  priority: z.enum(PLAYBOOK_PRIORITIES).describe("High, Medium or Low"),
  estimated_impact: text("The expected effect on the account, in one sentence"),
  playbook_id: z
    .literal([firstPlaybookId, ...otherPlaybookIds])
    .describe("The id of the playbook this action applies; only ids from the playbooks given"),
});

export const accountInsightSchema = z.object({
  summary: text("Two or three sentences on the account's state, quoting its figures"),
  health_analysis: text("What drives the health score: the components, their points and how they moved"),
  risk_factors: z.array(z.string().trim().min(1)).describe("The labels of the account's risk factors given"),
  recommended_actions: z
    .array(recommendedActionSchema)
    .length(ACCOUNT_INSIGHT_ACTIONS)
    .describe("Exactly 3 actions, most important first, each applying a different playbook"),
});

export const portfolioInsightSchema = z.object({
  summary: text("Two or three sentences on the portfolio, quoting its figures"),
  key_findings: z.array(z.string().trim().min(1)).min(1).describe("3 to 6 findings, each quoting figures"),
  top_risks: z.array(z.string().trim().min(1)).describe("The main risks, naming accounts and ARR where given"),
  opportunities: z.array(z.string().trim().min(1)).describe("Opportunities for growth or recovery"),
});

export type RecommendedAction = z.infer<typeof recommendedActionSchema>;
export type AccountInsight = z.infer<typeof accountInsightSchema>;
export type PortfolioInsight = z.infer<typeof portfolioInsightSchema>;

/**
 * Keywords that OpenAI's strict structured outputs (and Workers AI's JSON mode) accept. String lengths and numeric
 * bounds are dropped: not every model or OpenAI-compatible gateway accepts them, and the zod schema still enforces
 * them on the answer.
 */
const KEPT_KEYWORDS = new Set([
  "type",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "enum",
  "description",
  "minItems",
  "maxItems",
]);

function stripUnsupported(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(stripUnsupported);
  if (node === null || typeof node !== "object") return node;
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (!KEPT_KEYWORDS.has(key)) continue;
    // `properties` maps names to schemas: keep every name, clean each schema.
    kept[key] =
      key === "properties"
        ? Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([name, child]) => [name, stripUnsupported(child)]))
        : key === "enum" || key === "required"
          ? value
          : stripUnsupported(value);
  }
  if (Array.isArray(kept.enum) && kept.enum.every((item) => Number.isInteger(item))) kept.type = "integer";
  return kept;
}

/**
 * The JSON schema of an answer for a model's response format: every property required, no additional properties
 * (zod's output object schemas already say both), only the keywords strict mode accepts.
 */
export function responseJsonSchema(schema: z.ZodType): Record<string, unknown> {
  return stripUnsupported(z.toJSONSchema(schema, { io: "output" })) as Record<string, unknown>;
}

export const accountInsightJsonSchema = responseJsonSchema(accountInsightSchema);
export const portfolioInsightJsonSchema = responseJsonSchema(portfolioInsightSchema);

/** Issues of a failed parse in one line: `recommended_actions: Too big: expected array to have <=3 items; ...`. */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(root)"}: ${issue.message}`)
    .join("; ");
}

/**
 * A model's answer (an object, or JSON text possibly wrapped in a markdown fence) parsed against `schema`; throws
 * an InsightProviderError (`invalid_json` or `schema_mismatch`) naming `who` answered.
 */
export function parseModelAnswer<T>(answer: unknown, schema: z.ZodType<T>, who: string): T {
  let value = answer;
  if (typeof answer === "string") {
    const text = answer.trim().replace(/^```(?:json)?\s*([\s\S]*?)\s*```$/i, "$1");
    try {
      value = JSON.parse(text);
    } catch {
      throw new InsightProviderError("invalid_json", `${who} answered text that is not JSON: ${text.slice(0, 80)}`);
    }
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new InsightProviderError("schema_mismatch", `${who} answered JSON that does not match the schema: ${describeIssues(parsed.error)}`);
  }
  return parsed.data;
}

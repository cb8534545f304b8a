import { accessWith, INSIGHT_ACCESS } from "../../lib/auth";
import { jsonBodyLimit } from "../../lib/body-limit";
import { defineRoute } from "../../lib/openapi";
import { jsonContent } from "../../contract/problems";
import { limitInsights } from "../../lib/rate-limit";
import { accountIdParamsSchema } from "../../contract/accounts";
import {
  accountInsightResponseSchema,
  portfolioInsightRequestSchema,
  portfolioInsightResponseSchema,
  refreshQuerySchema,
} from "../../contract/insights";

const PROVIDERS = `**Who answers.** \`INSIGHTS_PROVIDER\` chooses: \`workers-ai\` (the \`AI\` binding), \`openai\` (Chat
Completions with the \`OPENAI_API_KEY\` secret), \`rules\` (deterministic, no network) or \`auto\` (default: OpenAI when a
key is set, else Workers AI when the binding exists, else the rules). A model gets the computed figures, risk factors and
playbooks as data, is told to use only them, at temperature 0, and must answer JSON matching the response schema
within \`INSIGHTS_TIMEOUT_MS\`. Any failure (timeout, HTTP error, rate limit, refusal, output that does not parse, not
exactly 3 actions, a playbook that was not offered) is logged and the rules answer instead: \`source\` says who answered,
\`fallback_code\` and \`fallback_reason\` why the model's answer was not used.

**Cache.** An answer is stored with a hash of everything it was computed from (the figures, metrics, risk factors and
playbooks, the request, the provider and model). Asking again while that data is unchanged returns the stored answer
(\`cached: true\`) without calling the model; \`refresh=true\` forces a new one. Fallback answers are not stored.`;

export const accountInsight = defineRoute({
  method: "post",
  path: "/insights/account/{id}",
  operationId: "generateAccountInsight",
  tag: "Insights",
  access: accessWith(INSIGHT_ACCESS, limitInsights),
  summary: "AI account insights with exactly 3 actions",
  errors: ["validation_error", "not_found", "rate_limited"],
  request: {
    params: accountIdParamsSchema,
    query: refreshQuerySchema,
  },
  responses: {
    200: jsonContent(accountInsightResponseSchema, "The insight, from a model or the rules"),
  },
  description: `A summary, a health analysis, the account's risk factors and exactly 3 recommended actions, each applying
a different one of the playbooks \`POST /actions/recommend\` ranks for the account. \`risk_factors\` always lists the
computed factors, whatever the model wrote; \`based_on\` shows the figures.

${PROVIDERS}`,
});

export const portfolioInsight = defineRoute({
  method: "post",
  path: "/insights/portfolio",
  operationId: "generatePortfolioInsight",
  tag: "Insights",
  access: accessWith(INSIGHT_ACCESS, limitInsights, jsonBodyLimit),
  summary: "AI portfolio analysis",
  errors: ["validation_error", "bad_request", "payload_too_large", "rate_limited"],
  request: {
    query: refreshQuerySchema,
    body: {
      required: false,
      content: { "application/json": { schema: portfolioInsightRequestSchema } },
      description: "Optional; without a JSON body the defaults apply",
    },
  },
  responses: {
    200: jsonContent(portfolioInsightResponseSchema, "The analysis, from a model or the rules"),
  },
  description: `A summary, key findings, top risks and opportunities for the whole portfolio, grounded in the
\`/portfolio/summary\` figures and the risk factors of the biggest At-Risk and Critical accounts (up to 50 by ARR).

The JSON body is optional (\`{include_recommendations, focus_areas}\`, as in the v1 API): \`focus_areas\` puts findings,
risks and opportunities about those topics first (an area no figure speaks to gets a finding saying so), and
\`include_recommendations\` (default true) adds playbooks for the accounts at risk.

${PROVIDERS}`,
});

export type AccountInsightRoute = typeof accountInsight;
export type PortfolioInsightRoute = typeof portfolioInsight;

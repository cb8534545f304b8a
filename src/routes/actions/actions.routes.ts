import { MIN_RECOMMENDATIONS } from "../../domain/recommend";
import { INSIGHT_ACCESS } from "../../lib/auth";
import { defineRoute } from "../../lib/openapi";
import { jsonContent } from "../../contract/problems";
import { recommendationsSchema, recommendQuerySchema } from "../../contract/actions";

export const recommend = defineRoute({
  method: "post",
  path: "/actions/recommend",
  operationId: "recommendPlaybooks",
  tag: "Playbooks",
  access: INSIGHT_ACCESS,
  summary: "Playbooks ranked for one account, with the reasons",
  errors: ["validation_error", "not_found"],
  request: {
    query: recommendQuerySchema,
  },
  responses: {
    200: jsonContent(recommendationsSchema, "The ranked playbooks"),
  },
  description: `Computes the account's risk factors (low engagement, low adoption, high support load, low or falling NPS,
low login frequency, declining health, renewal risk, data quality, and the positive signal) from its current health,
trends and last 90 days of metrics, and ranks the playbooks that address them.

A match weighs the factor's severity (high 0.8, medium 0.5, low 0.25) by how directly the factor threatens revenue, a
little less when the factor is not the playbook's main purpose; further matches add to the best one without passing 1.
ARR-sensitive playbooks (EBR, renewal risk mitigation) gain weight with the account's ARR (log scale, $10k to $1M).
A Healthy account always gets the proactive playbooks (Quarterly Success Planning, Champion User Program), and every
account gets at least ${MIN_RECOMMENDATIONS}: the general fits of its bucket fill in at relevance 0.2.`,
});

export type RecommendRoute = typeof recommend;

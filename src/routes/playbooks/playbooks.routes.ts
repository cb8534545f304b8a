import { createRoute } from "@hono/zod-openapi";
import { READ_ACCESS } from "../../lib/auth";
import { jsonContent, problemResponses } from "../../lib/openapi";
import { playbookListSchema } from "./playbooks.schemas";

export const list = createRoute({
  method: "get",
  path: "/playbooks",
  tags: ["Playbooks"],
  ...READ_ACCESS,
  summary: "The playbook library (10 playbooks)",
  description: `The ten customer-success playbooks, ids 1-10 in the original product's order, as a JSON array. Each lists
the risk factors it addresses; every risk factor leads to at least one playbook. \`POST /actions/recommend\` ranks them
for one account.`,
  responses: {
    200: jsonContent(playbookListSchema, "The library"),
    ...problemResponses("unauthorized", "service_unavailable"),
  },
});

export type ListRoute = typeof list;

import { createRoute } from "@hono/zod-openapi";
import { accessWith, READ_ACCESS } from "../../lib/auth";
import { conditionalRead, conditionalReadHeaders, conditionalResponses } from "../../lib/conditional-read";
import { problemResponses } from "../../lib/openapi";
import { playbookListSchema } from "../../contract/playbooks";

export const list = createRoute({
  method: "get",
  path: "/playbooks",
  operationId: "listPlaybooks",
  tags: ["Playbooks"],
  ...accessWith(READ_ACCESS, conditionalRead),
  request: { headers: conditionalReadHeaders },
  summary: "The playbook library (10 playbooks)",
  description: `The ten customer-success playbooks, ids 1-10 in the original product's order, as a JSON array. Each lists
the risk factors it addresses; every risk factor leads to at least one playbook. \`POST /actions/recommend\` ranks them
for one account.`,
  responses: {
    ...conditionalResponses(playbookListSchema, "The library"),
    ...problemResponses("unauthorized", "service_unavailable"),
  },
});

export type ListRoute = typeof list;

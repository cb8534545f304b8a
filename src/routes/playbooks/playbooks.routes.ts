import { accessWith, READ_ACCESS } from "../../lib/auth";
import { conditionalReadHeaders, conditionalResponses, staticConditionalRead } from "../../lib/conditional-read";
import { defineRoute } from "../../lib/openapi";
import { playbookListSchema } from "../../contract/playbooks";

export const list = defineRoute({
  method: "get",
  path: "/playbooks",
  operationId: "listPlaybooks",
  tag: "Playbooks",
  access: accessWith(READ_ACCESS, staticConditionalRead),
  summary: "The playbook library (10 playbooks)",
  request: {
    headers: conditionalReadHeaders,
  },
  responses: conditionalResponses(playbookListSchema, "The library"),
  description: `The ten customer-success playbooks as a JSON array, ids 1-10 (the ids and order of the v1 API). Each lists
the risk factors it addresses; every risk factor leads to at least one playbook. \`POST /actions/recommend\` ranks them
for one account.`,
});

export type ListRoute = typeof list;

import { createRoute, z } from "@hono/zod-openapi";
import { READ_SECURITY, requireApiKey } from "../../lib/auth";
import { jsonContent, problemResponses } from "../../lib/openapi";
import { playbookSchema } from "./playbooks.schemas";

export const listPlaybooks = createRoute({
  method: "get",
  path: "/playbooks",
  tags: ["Playbooks"],
  security: READ_SECURITY,
  middleware: [requireApiKey("read")] as const,
  summary: "The playbook library (10 playbooks)",
  description: `The ten customer-success playbooks, ids 1-10 in the original product's order, as a JSON array. Each lists
the risk factors it addresses; every risk factor leads to at least one playbook. \`POST /actions/recommend\` ranks them
for one account.`,
  responses: {
    200: jsonContent(z.array(playbookSchema), "The library"),
    ...problemResponses("unauthorized", "service_unavailable"),
  },
});

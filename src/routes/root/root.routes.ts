import { createRoute } from "@hono/zod-openapi";
import { LIVENESS_PATH } from "../../lib/middleware";
import { jsonContent, problemResponses } from "../../lib/openapi";
import { livenessSchema, serviceInfoSchema } from "../../contract/root";

export const getInfo = createRoute({
  method: "get",
  path: "/",
  operationId: "getServiceInfo",
  tags: ["Service"],
  // Open to everyone, whatever API_KEYS says: no key is asked for.
  security: [],
  summary: "Service name, version and links to the docs",
  description: "The service's name and version, and where its documentation (Swagger UI, ReDoc, the OpenAPI document) and " +
    "liveness check are. Needs no API key and reads no data.",
  responses: {
    200: jsonContent(serviceInfoSchema, "Service information"),
    ...problemResponses(),
  },
});

export type GetInfoRoute = typeof getInfo;

export const getLiveness = createRoute({
  method: "get",
  path: LIVENESS_PATH,
  operationId: "getLiveness",
  tags: ["Service"],
  security: [],
  summary: "Liveness: the worker is up, D1 answers and the configuration is valid",
  description: `Runs one trivial D1 query and checks every configuration variable. Answers 200 when both are fine, else
503 with \`status: degraded\` and what failed (\`configuration_problems\` names each malformed variable and its rule,
never its value). It is the one route that still answers when the configuration is invalid, so a health check sees why.
Needs no API key.`,
  responses: {
    200: jsonContent(livenessSchema, "The worker is up, D1 answered a query and every variable is well-formed"),
    503: jsonContent(livenessSchema, "The worker is up but D1 did not answer, or a variable is malformed (named in the body)"),
    ...problemResponses(),
  },
});

export type GetLivenessRoute = typeof getLiveness;

import { LIVENESS_PATH } from "../../lib/middleware";
import { NO_KEY, defineRoute } from "../../lib/openapi";
import { jsonContent } from "../../contract/problems";
import { livenessSchema, serviceInfoSchema } from "../../contract/root";

export const getInfo = defineRoute({
  method: "get",
  path: "/",
  operationId: "getServiceInfo",
  tag: "Service",
  access: NO_KEY,
  summary: "Service name, version and links to the docs",
  responses: {
    200: jsonContent(serviceInfoSchema, "Service information"),
  },
  description: "The service's name and version, and where its documentation (Swagger UI, ReDoc, the OpenAPI document) and " +
    "liveness check are. Needs no API key and reads no data.",
});

export const getLiveness = defineRoute({
  method: "get",
  path: LIVENESS_PATH,
  operationId: "getLiveness",
  tag: "Service",
  access: NO_KEY,
  summary: "Liveness: the worker is up, D1 answers and the configuration is valid",
  responses: {
    200: jsonContent(livenessSchema, "The worker is up, D1 answered a query and every variable is well-formed"),
    503: jsonContent(livenessSchema, "The worker is up but D1 did not answer, or a variable is malformed (named in the body)"),
  },
  description: `Runs one trivial D1 query and checks every configuration variable. Answers 200 when both are fine, else
503 with \`status: degraded\` and what failed (\`configuration_problems\` names each malformed variable and its rule,
never its value). It is the one route that still answers when the configuration is invalid, so a health check sees why.
Needs no API key.`,
});

export type GetInfoRoute = typeof getInfo;
export type GetLivenessRoute = typeof getLiveness;

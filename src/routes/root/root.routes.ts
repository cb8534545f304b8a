import { createRoute } from "@hono/zod-openapi";
import { LIVENESS_PATH } from "../../lib/middleware";
import { jsonContent, problemResponses } from "../../lib/openapi";
import { livenessSchema, serviceInfoSchema } from "./root.schemas";

export const getInfo = createRoute({
  method: "get",
  path: "/",
  tags: ["Service"],
  summary: "Service name, version and links to the docs",
  responses: {
    200: jsonContent(serviceInfoSchema, "Service information"),
    ...problemResponses(),
  },
});

export type GetInfoRoute = typeof getInfo;

export const getLiveness = createRoute({
  method: "get",
  path: LIVENESS_PATH,
  tags: ["Service"],
  summary: "Liveness: the worker is up, D1 answers and the configuration is valid",
  responses: {
    200: jsonContent(livenessSchema, "The worker is up, D1 answered a query and every variable is well-formed"),
    503: jsonContent(livenessSchema, "The worker is up but D1 did not answer, or a variable is malformed (named in the body)"),
    ...problemResponses(),
  },
});

export type GetLivenessRoute = typeof getLiveness;

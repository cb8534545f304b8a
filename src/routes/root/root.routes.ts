import { createRoute } from "@hono/zod-openapi";
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
  path: "/healthz",
  tags: ["Service"],
  summary: "Liveness: the worker is up and D1 answers",
  responses: {
    200: jsonContent(livenessSchema, "The worker is up and D1 answered a query"),
    503: jsonContent(livenessSchema, "The worker is up but D1 did not answer"),
    ...problemResponses(),
  },
});

export type GetLivenessRoute = typeof getLiveness;

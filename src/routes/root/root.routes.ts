import { createRoute, z } from "@hono/zod-openapi";
import { jsonContent, problemResponses } from "../../lib/openapi";

export const serviceInfoSchema = z
  .object({
    service: z.string().openapi({ example: "AI Success Insights API" }),
    version: z.string().openapi({ example: "0.1.0" }),
    docs: z.object({
      swagger_ui: z.string().openapi({ example: "/docs" }),
      redoc: z.string().openapi({ example: "/redoc" }),
      openapi: z.string().openapi({ example: "/openapi.json" }),
    }),
    health: z.string().openapi({ example: "/healthz" }),
  })
  .openapi("ServiceInfo");

export const livenessSchema = z
  .object({
    status: z.enum(["ok", "degraded"]).openapi({ example: "ok" }),
    database: z.enum(["ok", "unreachable"]).openapi({ example: "ok" }),
    time: z.string().openapi({ example: "2026-11-24T06:00:00.000Z" }),
  })
  .openapi("Liveness");

export const serviceInfo = createRoute({
  method: "get",
  path: "/",
  tags: ["Service"],
  summary: "Service name, version and links to the docs",
  responses: {
    200: jsonContent(serviceInfoSchema, "Service information"),
    ...problemResponses(),
  },
});

export const liveness = createRoute({
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

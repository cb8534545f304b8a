import { z } from "@hono/zod-openapi";

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

export type ServiceInfo = z.infer<typeof serviceInfoSchema>;
export type Liveness = z.infer<typeof livenessSchema>;

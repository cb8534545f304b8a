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
    configuration: z.enum(["ok", "invalid"]).openapi({
      description: "`invalid` when a variable is malformed: every other route then answers 503 `misconfigured`",
      example: "ok",
    }),
    configuration_problems: z
      .array(
        z.object({
          variable: z.string().openapi({ example: "HEALTH_WINDOW_DAYS" }),
          rule: z.string().openapi({ example: "a whole number of days from 1 to 90" }),
        }),
      )
      .optional()
      .openapi({ description: "Each malformed variable and the rule it breaks (never its value)" }),
    secrets_key: z
      .enum(["configured", "development", "missing"])
      .optional()
      .openapi({
        description:
          "The key webhook signing secrets are sealed under: `configured` (SECRETS_KEY), `development` (unset outside " +
          "production: a fixed, published development key, not for real receivers) or `missing` (unset in production: " +
          "the webhook routes answer 503 `misconfigured`). Absent while the configuration is invalid.",
        example: "configured",
      }),
    time: z.string().openapi({ example: "2026-11-24T06:00:00.000Z" }),
  })
  .openapi("Liveness");

export type ServiceInfo = z.infer<typeof serviceInfoSchema>;
export type Liveness = z.infer<typeof livenessSchema>;

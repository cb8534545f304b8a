import { createRoute, type RouteConfig } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import {
  problemContent,
  problemResponses,
  type ProblemCode,
  type ProblemResponses,
  type ProblemStatus,
} from "../contract/problems";
import type { AppEnv } from "./types";

/**
 * Route definitions: every route of the API is written with `defineRoute`, which fills in what all routes share (the
 * access spread as `security` + middleware + `x-required-scope`, and the standard problem responses), so that a route
 * file says only what is particular to each route.
 */

/** Who may call a route: its OpenAPI `security`, the middleware enforcing it and the scope it needs (lib/auth.ts). */
export interface RouteAccess {
  security: Record<string, string[]>[];
  middleware?: MiddlewareHandler<AppEnv>[];
  "x-required-scope"?: string;
}

/** Open to everyone, whatever API_KEYS says: no key is asked for. */
export const NO_KEY = { security: [] } satisfies RouteAccess;

/** What a route that asks for a key can always answer: no valid key (401; 403 comes with it) or no key configured. */
const KEYED_ROUTE_ERRORS: ProblemCode[] = ["unauthorized", "service_unavailable"];

export interface RouteSpec {
  method: RouteConfig["method"];
  path: string;
  operationId: string;
  /** The section of the document it is listed in. */
  tag: string;
  access: RouteAccess;
  summary: string;
  description: string;
  request?: RouteConfig["request"];
  /** The answers other than problems: the success statuses (and 304 of a conditional read). */
  responses: RouteConfig["responses"];
  /**
   * The problems particular to this route. Every route can also answer 400 (a malformed x-d1-bookmark), 500 and 503
   * `misconfigured`; a route that asks for a key also 401, 403 and 503 `service_unavailable`.
   */
  errors?: readonly ProblemCode[];
  /** Per status, a description replacing the standard one, for a route that says more about its refusals. */
  errorDescriptions?: Partial<Record<ProblemStatus, string>>;
}

/** The route as `createRoute` would type it: a status the route answers itself keeps its own response type. */
export type DefinedRoute<S extends RouteSpec> = Omit<S, "tag" | "access" | "errors" | "errorDescriptions" | "responses"> &
  S["access"] & {
    tags: string[];
    responses: S["responses"] & Omit<Required<ProblemResponses>, keyof S["responses"]>;
  };

/**
 * A route as `createRoute` takes it. The keys are set in the order the document lists them: operationId, tags, security,
 * x-required-scope, summary, description. The problem responses come after the route's own, so a status that both name
 * is documented as the problem (GET /healthz's 503); `errorDescriptions` is the way to say more about a problem status.
 */
export function defineRoute<const S extends RouteSpec>(spec: S): DefinedRoute<S> {
  const { method, path, operationId, tag, access, summary, description, request, responses, errors = [] } = spec;
  const problems = problemResponses(...errors, ...(access.security.length > 0 ? KEYED_ROUTE_ERRORS : []));
  for (const [status, text] of Object.entries(spec.errorDescriptions ?? {})) {
    problems[Number(status) as ProblemStatus] = problemContent(text);
  }
  const route = {
    method,
    path,
    operationId,
    tags: [tag],
    ...access,
    summary,
    description,
    ...(request ? { request } : {}),
    responses: { ...responses, ...problems },
  };
  return createRoute(route) as unknown as DefinedRoute<S>;
}

/** A required JSON request body of this schema. */
export function jsonBody<T>(schema: T) {
  return { required: true, content: { "application/json": { schema } } };
}

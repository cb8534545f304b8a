import type { RouteHandler } from "@hono/zod-openapi";
import { PLAYBOOKS } from "../../domain/playbooks";
import type { AppEnv } from "../../lib/types";
import type { ListRoute } from "./playbooks.routes";

export const list: RouteHandler<ListRoute, AppEnv> = (c) => c.json([...PLAYBOOKS], 200);

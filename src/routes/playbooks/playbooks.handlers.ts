import type { RouteHandler } from "@hono/zod-openapi";
import { PLAYBOOKS } from "../../domain/playbooks";
import type { AppEnv } from "../../lib/types";
import type { listPlaybooks } from "./playbooks.routes";

export const list: RouteHandler<typeof listPlaybooks, AppEnv> = (c) => c.json([...PLAYBOOKS], 200);

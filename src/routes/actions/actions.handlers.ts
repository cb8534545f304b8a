import type { RouteHandler } from "@hono/zod-openapi";
import { ApiError } from "../../lib/errors";
import type { AppEnv } from "../../lib/types";
import { assessAccount } from "../../services/assessment";
import type { RecommendRoute } from "./actions.routes";
import { toRecommendationsResponse } from "../../contract/actions";

export const recommend: RouteHandler<RecommendRoute, AppEnv> = async (c) => {
  const { account_id: accountId } = c.req.valid("query");
  const assessment = await assessAccount(c.get("db"), accountId);
  if (!assessment) throw new ApiError("not_found", `No account has id ${accountId}.`);
  return c.json(toRecommendationsResponse(assessment), 200);
};

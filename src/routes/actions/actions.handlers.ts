import type { RouteHandler } from "@hono/zod-openapi";
import { ApiError } from "../../lib/errors";
import type { AppEnv } from "../../lib/types";
import { assessAccount } from "../../services/assessment";
import type { recommend } from "./actions.routes";

export const recommendForAccount: RouteHandler<typeof recommend, AppEnv> = async (c) => {
  const { account_id: accountId } = c.req.valid("query");
  const assessment = await assessAccount(c.env.DB, accountId);
  if (!assessment) throw new ApiError("not_found", `No account has id ${accountId}.`);
  const { account, risk_factors: riskFactors, recommendations } = assessment;
  return c.json(
    {
      account_id: account.id,
      recommendations,
      account_name: account.account_name,
      health_score: account.health_score,
      health_bucket: account.health_bucket,
      arr: account.arr,
      risk_factors: riskFactors,
    },
    200,
  );
};

import type { RouteHandler } from "@hono/zod-openapi";
import { getAccountDetail } from "../../db/queries/account-detail";
import { listAccounts } from "../../db/queries/account-list";
import { healthConfigFingerprint } from "../../domain/health";
import { ApiError } from "../../lib/errors";
import type { AppEnv } from "../../lib/types";
import type { GetOneRoute, ListRoute } from "./accounts.routes";

export const list: RouteHandler<ListRoute, AppEnv> = async (c) => {
  const query = c.req.valid("query");
  const { total, accounts } = await listAccounts(c.get("db"), query);
  return c.json({ total, page: query.page, page_size: query.page_size, accounts }, 200);
};

export const getOne: RouteHandler<GetOneRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const account = await getAccountDetail(c.get("db"), id, healthConfigFingerprint(c.get("config").health));
  if (!account) throw new ApiError("not_found", `No account has id ${id}.`);
  return c.json(account, 200);
};

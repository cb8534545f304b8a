import type { RouteHandler } from "@hono/zod-openapi";
import { getAccountDetail, listAccounts as queryAccounts } from "../../db/queries/accounts";
import { ApiError } from "../../lib/errors";
import type { AppEnv } from "../../lib/types";
import type { getAccount, listAccounts } from "./accounts.routes";

export const list: RouteHandler<typeof listAccounts, AppEnv> = async (c) => {
  const query = c.req.valid("query");
  const result = await queryAccounts(c.env.DB, {
    page: query.page,
    pageSize: query.page_size,
    segment: query.segment,
    region: query.region,
    bucket: query.bucket,
    search: query.search,
    minHealth: query.min_health,
    maxHealth: query.max_health,
    sort: query.sort ?? "account_name",
    order: query.order ?? "asc",
  });
  return c.json({ total: result.total, page: query.page, page_size: query.page_size, accounts: result.accounts }, 200);
};

export const getOne: RouteHandler<typeof getAccount, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const account = await getAccountDetail(c.env.DB, id);
  if (!account) throw new ApiError("not_found", `No account has id ${id}.`);
  return c.json(account, 200);
};

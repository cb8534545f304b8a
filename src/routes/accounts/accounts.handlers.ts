import type { RouteHandler } from "@hono/zod-openapi";
import { getAccountDetail } from "../../db/queries/account-detail";
import { listAccounts } from "../../db/queries/account-list";
import { healthConfigFingerprint } from "../../domain/health";
import { ApiError } from "../../lib/errors";
import type { AppEnv } from "../../lib/types";
import { queuesOf } from "../../bindings";
import { recomputeSettings, type RecomputeOutcome } from "../../scoring";
import { deleteAccount, mergeAccounts, updateAccount, type AccountChangeContext } from "../../services/accounts";
import type { Context } from "hono";
import type { GetOneRoute, ListRoute, MergeRoute, RemoveRoute, UpdateRoute } from "./accounts.routes";

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

function changeContext(c: Context<AppEnv>): AccountChangeContext {
  return {
    db: c.get("db"),
    queues: queuesOf(c.env),
    settings: recomputeSettings(c.get("config"), "api"),
    actor: c.get("apiKeyName") ?? null,
  };
}

function queuedJobId(rescore: RecomputeOutcome | null): number | null {
  return rescore?.mode === "queued" ? rescore.job.id : null;
}

export const update: RouteHandler<UpdateRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const body = c.req.valid("json");
  const { changed, rescore } = await updateAccount(changeContext(c), id, {
    accountName: body.account_name,
    segment: body.segment,
    region: body.region,
  });
  return c.json({ changed, rescore_job_id: queuedJobId(rescore) }, 200);
};

export const merge: RouteHandler<MergeRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const { rescore, ...figures } = await mergeAccounts(changeContext(c), id, c.req.valid("json").from_account_id);
  return c.json({ ...figures, rescore_job_id: queuedJobId(rescore) }, 200);
};

export const remove: RouteHandler<RemoveRoute, AppEnv> = async (c) => {
  await deleteAccount(changeContext(c), c.req.valid("param").id);
  return c.body(null, 204);
};

import type { RouteHandler } from "@hono/zod-openapi";
import type { AuditDetail } from "../../contract/audit";
import { listAuditRecords } from "../../db/queries/audit";
import type { AppEnv } from "../../lib/types";
import type { ListAuditRoute } from "./audit.routes";

export const list: RouteHandler<ListAuditRoute, AppEnv> = async (c) => {
  const { after, limit } = c.req.valid("query");
  const rows = await listAuditRecords(c.get("db"), after, limit);
  const records = rows.map((row) => ({ ...row, detail: JSON.parse(row.detail) as AuditDetail }));
  return c.json({ records, next_after: records.at(-1)?.id ?? after }, 200);
};

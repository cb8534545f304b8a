import { createRouter } from "../../lib/create-router";
import { getOne, list } from "./accounts.handlers";
import { getAccount, listAccounts } from "./accounts.routes";

export const accountsRouter = createRouter().openapi(listAccounts, list).openapi(getAccount, getOne);

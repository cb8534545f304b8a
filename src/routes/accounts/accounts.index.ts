import { createRouter } from "../../lib/create-router";

export const accountsRouter = createRouter();

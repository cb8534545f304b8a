import { createRouter } from "../../lib/create-router";

export const healthRouter = createRouter();

import { createRouter } from "../../lib/create-router";

export const ingestRouter = createRouter();

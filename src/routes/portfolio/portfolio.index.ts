import { createRouter } from "../../lib/create-router";

export const portfolioRouter = createRouter();

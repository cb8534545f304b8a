import { createRouter } from "../../lib/create-router";
import { summary } from "./portfolio.handlers";
import { getSummary } from "./portfolio.routes";

export const portfolioRouter = createRouter().openapi(getSummary, summary);

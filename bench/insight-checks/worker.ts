/**
 * Bench-only. `/account/{id}` and `/portfolio` do what an insight request does around a model's answer: assess the
 * data, take an answer that quotes it (the rules' own), and, with `?checks=1`, check it as the insight path does
 * (checkAnswer: review, then repair what failed). The two arms differ only by the checks, so the client's time
 * difference is their cost.
 */
import { createDb } from "../../src/db/client";
import { recommendForPortfolio } from "../../src/domain/recommend-portfolio";
import { ACCOUNT_STEPS, checkAnswer, PORTFOLIO_STEPS, type RunSteps } from "../../src/insights/select";
import { assessAccount, assessPortfolio } from "../../src/services/assessment";

interface BenchEnv {
  DB: D1Database;
}

function answered<Input, T>(steps: RunSteps<Input, T>, input: Input, withChecks: boolean): Response {
  const answer = steps.rules(input);
  if (!withChecks) return Response.json({ answer });
  const { review, insight } = checkAnswer(steps, answer, input);
  return Response.json({ answer: insight, figures_checked: review.figures_checked });
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    // What the bench's dev-server helper waits for.
    if (url.pathname === "/healthz") return Response.json({ status: "ok" });
    const withChecks = url.searchParams.get("checks") === "1";
    const db = createDb(env.DB);
    const account = /^\/account\/(\d+)$/.exec(url.pathname);
    if (account) {
      const assessment = await assessAccount(db, Number(account[1]));
      return assessment ? answered(ACCOUNT_STEPS, assessment, withChecks) : new Response("no such account", { status: 404 });
    }
    if (url.pathname === "/portfolio") {
      const portfolio = await assessPortfolio(db);
      const input = {
        portfolio,
        request: { include_recommendations: true, focus_areas: [] },
        recommendations: recommendForPortfolio(portfolio.accounts_at_risk),
      };
      return answered(PORTFOLIO_STEPS, input, withChecks);
    }
    return new Response("not found", { status: 404 });
  },
} satisfies ExportedHandler<BenchEnv>;

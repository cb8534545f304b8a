import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import exampleCsv from "../../examples/accounts.csv?raw";
import { checkFigures } from "../../src/domain/written-figures";
import { accountInsightFigures } from "../../src/insights/checks-account";
import { rulesAccountInsight } from "../../src/insights/rules-account";
import { assessAccount } from "../../src/services/assessment";
import { resetDatabase, testDb } from "../helpers/db";

/**
 * The figure check against the data a model is given (the account prompt's DATA and the score's scale), on every account of
 * examples/accounts.csv: the rules' own answer, which quotes the data, passes; the same answer with its figures moved
 * does not.
 */

let ids: number[];

beforeAll(async () => {
  await resetDatabase();
  const response = await SELF.fetch("http://example.com/ingest/csv", { method: "POST", headers: { "content-type": "text/csv" }, body: exampleCsv });
  expect(response.status).toBe(200);
  const list = await (await SELF.fetch("http://example.com/accounts?page_size=100")).json<{ accounts: { id: number }[] }>();
  ids = list.accounts.map((account) => account.id);
});

/** The prose of an account insight: what a user reads. */
function prose(insight: ReturnType<typeof rulesAccountInsight>): string[] {
  return [insight.summary, insight.health_analysis, ...insight.recommended_actions.flatMap((action) => [action.title, action.description, action.estimated_impact])];
}

describe("the figures of an account insight against the data the model was given", () => {
  it("finds every figure of the rules' answer in the data, for every account of the example book", async () => {
    let checked = 0;
    for (const id of ids) {
      const assessment = (await assessAccount(testDb(), id))!;
      const known = accountInsightFigures(assessment);
      for (const text of prose(rulesAccountInsight(assessment))) {
        const result = checkFigures(text, known);
        checked += result.checked;
        expect(result.unsupported.map((figure) => figure.text), `account ${id}: ${text}`).toEqual([]);
      }
    }
    expect(checked).toBeGreaterThan(ids.length * 3);
  });

  it("finds no support for figures moved away from the data: a score, money and a percentage", async () => {
    const assessment = (await assessAccount(testDb(), ids[0]!))!;
    const known = accountInsightFigures(assessment);
    // Beyond any figure of the data or any difference or ratio of two.
    const wrong = `The account scores 187.31 with $${Math.round(assessment.account.arr * 37.1).toLocaleString("en-US")} ARR; adoption is 9876.54%.`;
    expect(checkFigures(wrong, known).unsupported.map((figure) => figure.kind)).toEqual(["number", "money", "percent"]);
  });
});

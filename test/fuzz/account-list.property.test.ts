import { env } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ACCOUNT_SORTS, SORT_ORDERS, type ListAccountsQuery } from "../../src/contract/account-list";
import { listAccounts } from "../../src/db/queries/account-list";
import { LOW_SCORE_INDEX_BELOW } from "../../src/db/schema";
import { resetDatabase, testDb } from "../helpers/db";
import { insertAccount } from "../helpers/factories";

/*
 * Property: whatever its sort, order, filters and page, GET /accounts answers the page and the total that sorting the
 * whole filtered book answers: the name and renewal walks of their indexes, the low-score walk of the score sort and
 * its fallback, and the total summed from the kept portfolio_groups all agree with the plain statement. The books
 * have ties on every key, unscored accounts, accounts without a renewal date or a 30-day change, names that differ
 * only in case, and scores on both sides of the low-score index's bound.
 */

const RUNS = Number(env.FUZZ_RUNS);
const TIMEOUT_MS = 60_000 + RUNS * 200;
const QUERIES_PER_BOOK = 6;

const accountArbitrary = fc.record({
  name: fc.constantFrom("acme", "Acme", "Beta", "beta co", "Gamma", "delta", "Delta", "Omega", "Zeta", "Zed"),
  segment: fc.constantFrom("Enterprise" as const, "Mid-Market" as const, "SMB" as const),
  region: fc.constantFrom("EMEA", "emea", "APAC"),
  arr: fc.constantFrom(0, 50_000, 50_000, 120_000.5, 900_000),
  healthScore: fc.option(fc.constantFrom(5, 12.5, 12.5, LOW_SCORE_INDEX_BELOW - 0.1, LOW_SCORE_INDEX_BELOW, 55, 80.2), {
    nil: null,
  }),
  healthChange30d: fc.option(fc.constantFrom(-12, -3.5, 0, 0, 4), { nil: null }),
  renewalDate: fc.option(fc.constantFrom("2026-11-01", "2026-12-15", "2026-12-15", "2027-03-01"), { nil: null }),
  owner: fc.option(fc.constantFrom("Dana", "dana", "Fox"), { nil: null }),
});

const queryArbitrary: fc.Arbitrary<ListAccountsQuery> = fc.record(
  {
    page: fc.integer({ min: 1, max: 4 }),
    page_size: fc.integer({ min: 1, max: 5 }),
    sort: fc.constantFrom(...ACCOUNT_SORTS),
    order: fc.constantFrom(...SORT_ORDERS),
    segment: fc.constantFrom("Enterprise" as const, "SMB" as const),
    region: fc.constantFrom("emea", "APAC"),
    bucket: fc.constantFrom("Healthy" as const, "At-Risk" as const, "Critical" as const),
    search: fc.constantFrom("a", "ET", "_"),
    min_health: fc.constantFrom(10, 30),
    max_health: fc.constantFrom(29.9, 60),
    owner: fc.constantFrom("DANA", "Fox"),
    renews_before: fc.constantFrom("2026-12-15", "2027-01-01"),
  },
  { requiredKeys: ["page", "page_size"] },
);

const SORT_KEYS = {
  account_name: ["account_name", "account_name COLLATE NOCASE"],
  health_score: ["health_score", "health_score"],
  arr: ["arr", "arr"],
  health_change_30d: ["health_change_30d", "health_change_30d"],
  renewal_date: ["renewal_date", "renewal_date"],
} as const;

/** The page and total from scratch: every filter on the accounts, the whole filtered book sorted, then cut. */
async function sortedFromScratch(query: ListAccountsQuery): Promise<{ total: number; ids: number[] }> {
  const conditions: string[] = [];
  const values: unknown[] = [];
  const filter = (condition: string, value: unknown) => {
    conditions.push(condition);
    values.push(value);
  };
  if (query.segment !== undefined) filter("segment = ?", query.segment);
  if (query.region !== undefined) filter("region = ? COLLATE NOCASE", query.region);
  if (query.bucket !== undefined) filter("health_bucket = ?", query.bucket);
  if (query.search !== undefined) filter("instr(lower(account_name), lower(?)) > 0", query.search);
  if (query.min_health !== undefined) filter("health_score >= ?", query.min_health);
  if (query.max_health !== undefined) filter("health_score <= ?", query.max_health);
  if (query.owner !== undefined) filter("owner = ? COLLATE NOCASE", query.owner);
  if (query.renews_before !== undefined) filter("renewal_date < ?", query.renews_before);
  const where = conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : "";
  const [column, key] = SORT_KEYS[query.sort ?? "account_name"];
  const rows = await env.DB.prepare(
    `SELECT id FROM accounts ${where} ORDER BY ${column} IS NULL, ${key} ${query.order === "desc" ? "DESC" : "ASC"}, id`,
  )
    .bind(...values)
    .all<{ id: number }>();
  const ids = rows.results.map((row) => row.id);
  const offset = (query.page - 1) * query.page_size;
  return { total: ids.length, ids: ids.slice(offset, offset + query.page_size) };
}

describe("the account list against a sort of the whole book", () => {
  it(
    "answers the same page and total under every sort, order, filter and page",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(accountArbitrary, { minLength: 0, maxLength: 14 }),
          fc.array(queryArbitrary, { minLength: QUERIES_PER_BOOK, maxLength: QUERIES_PER_BOOK }),
          async (book, queries) => {
            await resetDatabase();
            const seen = new Set<string>();
            for (const account of book) {
              // Names are unique byte for byte; case variants stay, so the name order has case ties.
              if (seen.has(account.name)) continue;
              seen.add(account.name);
              await insertAccount(account);
            }
            for (const query of queries) {
              const answered = await listAccounts(testDb(), query);
              const expected = await sortedFromScratch(query);
              expect({ total: answered.total, ids: answered.accounts.map((account) => account.id) }, JSON.stringify(query)).toEqual(
                expected,
              );
            }
          },
        ),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );
});

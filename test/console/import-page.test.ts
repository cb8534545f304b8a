import { env, SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import exampleCsv from "../../examples/accounts.csv?raw";
import { IMPORT_SCRIPT } from "../../src/console/import-script";
import type { IngestResult } from "../../src/contract/ingest";
import { sha256Hex } from "../../src/lib/hash";
import { signIn } from "../helpers/console";
import { resetDatabase } from "../helpers/db";
import { fetchWith } from "../helpers/worker";

/**
 * The import page (/app/import) through the Worker, in workerd, against the real local D1 and queues: its dry run
 * against POST /ingest/csv?dry_run=true for the same file, the mapping, the load and the rescore it follows, who may
 * load, and its script's headers. The browser test (test/browser/console-import.browser.ts) runs the script.
 */

const ORIGIN = "http://example.com";
const READ_KEY = "ask_import_read_key_0123456789abcdef";
const INGEST_KEY = "ask_import_ingest_key_0123456789abcdef";

const HEADER = "account_name,segment,region,arr,date,daily_active_users,feature_adoption_rate,support_tickets_open,nps_score,login_frequency";

/** Two accounts new to the example book, a row with a date that does not exist, and a column nothing matches. */
const NEW_ACCOUNTS_CSV = [
  `${HEADER},Notes`,
  "Zephyr Labs,SMB,EU,42000,2026-12-01,12,0.5,1,30,0.6,first",
  "Zephyr Labs,SMB,EU,42000,2026-12-02,14,0.52,1,30,0.62,",
  "Yonder Freight,Mid-Market,US,180000,2026-12-01,40,0.7,3,10,0.7,",
  "Yonder Freight,Mid-Market,US,180000,2026-02-30,40,0.7,3,10,0.7,",
].join("\n");

function csvForm(csv: string, mapping?: Record<string, string>): FormData {
  const form = new FormData();
  // The mapping goes before the file: the upload reads only the fields that come before it.
  if (mapping) form.append("mapping", JSON.stringify(mapping));
  form.append("file", new File([csv], "accounts.csv", { type: "text/csv" }));
  return form;
}

function post(path: string, body: FormData, origin = ORIGIN, headers: Record<string, string> = {}): Promise<Response> {
  return SELF.fetch(`${ORIGIN}${path}`, { method: "POST", body, headers: { origin, ...headers } });
}

async function count(table: "accounts" | "account_metrics" | "health_scores"): Promise<number> {
  return (await env.DB.prepare(`SELECT count(*) AS n FROM ${table}`).first<{ n: number }>())?.n ?? 0;
}

/** The cards of the page's dry run: label ► shown value. */
function cards(html: string): Record<string, string> {
  return Object.fromEntries([...html.matchAll(/<dt>([^<]*)<\/dt><dd>([^<]*)<\/dd>/g)].map((match) => [match[1], match[2]]));
}

const shown = (value: number) => value.toLocaleString("en-US");

async function loadExample(): Promise<void> {
  await resetDatabase();
  const response = await SELF.fetch(`${ORIGIN}/ingest/csv`, { method: "POST", headers: { "content-type": "text/csv" }, body: exampleCsv });
  expect(response.status).toBe(200);
}

describe("the import page's dry run (/app/import/check)", () => {
  beforeAll(loadExample);

  it("reports what POST /ingest/csv?dry_run=true reports for the same file, and stores nothing", async () => {
    const api = await (await SELF.fetch(`${ORIGIN}/ingest/csv?dry_run=true`, { method: "POST", body: csvForm(NEW_ACCOUNTS_CSV) })).json<IngestResult>();
    const before = { accounts: await count("accounts"), metrics: await count("account_metrics"), scores: await count("health_scores") };

    const response = await post("/app/import/check", csvForm(NEW_ACCOUNTS_CSV));
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(cards(html)).toEqual({
      "Rows read": shown(api.rows_total),
      "Rows accepted": shown(api.rows_total - api.rows_rejected),
      "Rows rejected": shown(api.rows_rejected),
      "Accounts to create": shown(api.accounts_created),
      "Accounts to update": shown(api.accounts_updated),
      "Metrics to create": shown(api.metrics_created),
      "Metrics to update": shown(api.metrics_updated),
      Warnings: shown(api.warning_count),
    });
    expect(api).toMatchObject({ dry_run: true, accounts_created: 2, rows_rejected: 1, ignored_headers: ["Notes"] });
    // The first errors, with their line and column.
    for (const error of api.row_errors) {
      expect(html).toContain(`<tr><td class="number">${error.line}</td><td>${error.column}</td><td>${error.value}</td>`);
    }
    // The header match: each header and the field it became; the ignored one with a choice of field.
    for (const match of api.columns) expect(html).toContain(`<th scope="row">${match.header}</th><td>${match.column}</td>`);
    expect(html).toContain(`<select name="c" data-header="Notes" aria-label="Field for the header &#39;Notes&#39;">`);
    // Only then the Load button (shown by the script).
    expect(html).toContain(`id="load" class="primary" hidden=""`);

    expect({ accounts: await count("accounts"), metrics: await count("account_metrics"), scores: await count("health_scores") }).toEqual(before);
    const runs = await (await SELF.fetch(`${ORIGIN}/ingest/runs?limit=2`)).json<{ runs: { status: string; rows_total: number }[] }>();
    expect(runs.runs.map((run) => run.status)).toEqual(["dry_run", "dry_run"]);
    expect(runs.runs[0]?.rows_total).toBe(api.rows_total);
  });

  it("applies a mapping of an unmatched header as the API applies it", async () => {
    const csv = NEW_ACCOUNTS_CSV.replace("account_name,", "Client Label,");
    const refused = await post("/app/import/check", csvForm(csv));
    expect(refused.status).toBe(400);
    const refusal = await refused.text();
    expect(refusal).toContain("missing the required column(s): account_name");
    expect(refusal).toContain(`data-header="Client Label"`);

    const mapping = { "Client Label": "account_name" };
    const api = await (
      await SELF.fetch(`${ORIGIN}/ingest/csv?dry_run=true&mapping=${encodeURIComponent(JSON.stringify(mapping))}`, { method: "POST", body: csvForm(csv) })
    ).json<IngestResult>();
    expect(api.columns[0]).toEqual({ header: "Client Label", column: "account_name", matched_by: "mapping" });
    const response = await post("/app/import/check", csvForm(csv, mapping));
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(cards(html)["Accounts to create"]).toBe(shown(api.accounts_created));
    expect(cards(html)["Rows accepted"]).toBe(shown(api.rows_total - api.rows_rejected));
    expect(html).toContain(`<option value="account_name" selected="">account_name</option>`);
    expect(html).toContain("your mapping");
    // The next check sends the same mapping.
    expect(html).toContain(`name="mapping" value="{&quot;Client Label&quot;:&quot;account_name&quot;}"`);
  });

  it("without the script, carries a mapping chosen on the report into the form (?h=&c=)", async () => {
    const html = await (await SELF.fetch(`${ORIGIN}/app/import?h=Client%20Label&c=account_name&h=Notes&c=`)).text();
    expect(html).toContain(`name="mapping" value="{&quot;Client Label&quot;:&quot;account_name&quot;}"`);
    expect(html).toContain("Mapping: Client Label → account_name.");
  });
});

describe("loading a file from the import page (/app/import/load)", () => {
  beforeAll(loadExample);

  it("stores the accounts as POST /ingest/csv would (then GET /accounts lists them), and says the scores are fresh", async () => {
    const response = await post("/app/import/load", csvForm(NEW_ACCOUNTS_CSV), ORIGIN, { accept: "application/json" });
    expect(response.status).toBe(200);
    const result = await response.json<IngestResult>();
    expect(result).toMatchObject({ dry_run: false, accounts_created: 2, metrics_created: 3, rows_rejected: 1, rescore_job_id: null });
    const listed = await (await SELF.fetch(`${ORIGIN}/accounts?search=Zephyr`)).json<{ accounts: { account_name: string; health_score: number | null }[] }>();
    expect(listed.accounts.map((account) => account.account_name)).toEqual(["Zephyr Labs"]);
    expect(listed.accounts[0]?.health_score).not.toBeNull();

    const status = await (await SELF.fetch(`${ORIGIN}/app/import/runs/${result.ingest_run_id}`)).json<{ scores: string; progress: number; run: { status: string } }>();
    expect(status).toMatchObject({ scores: "fresh", progress: 1, run: { status: "completed" } });
    const api = await (await SELF.fetch(`${ORIGIN}/ingest/runs/${result.ingest_run_id}`)).json();
    expect(status.run).toEqual(api);
  });

  it("follows a queued rescore's job until the scores are fresh", async () => {
    const vars = { INGEST_RESCORE_INLINE_MAX_ACCOUNTS: "1" };
    const csv = NEW_ACCOUNTS_CSV.replaceAll("2026-12-0", "2026-11-2");
    const response = await fetchWith(vars, "/app/import/load", { method: "POST", body: csvForm(csv), headers: { origin: ORIGIN } });
    const result = await response.json<IngestResult>();
    expect(result.rescore_job_id).toEqual(expect.any(Number));
    const url = `/app/import/runs/${result.ingest_run_id}?job=${result.rescore_job_id}`;
    const deadline = Date.now() + 10_000;
    let status = await (await fetchWith(vars, url)).json<{ scores: string; progress: number; job: { status: string } }>();
    while (status.scores === "rescoring" && Date.now() < deadline) {
      expect(status.progress).toBeLessThan(1);
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = await (await fetchWith(vars, url)).json();
    }
    expect(status).toMatchObject({ scores: "fresh", progress: 1, job: { status: "completed" } });
    const job = await (await SELF.fetch(`${ORIGIN}/health/recompute/jobs/${result.rescore_job_id}`)).json();
    expect(status.job).toEqual(job);
  });

  it("answers a refused file with the API's problem, and an unknown run with 404", async () => {
    const response = await post("/app/import/load", csvForm("name,when\nx,y\n"), ORIGIN, { accept: "application/json" });
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toContain("application/problem+json");
    expect((await response.json<{ detail: string }>()).detail).toContain("missing the required column(s)");
    expect((await SELF.fetch(`${ORIGIN}/app/import/runs/999999`)).status).toBe(404);
  });

  it("refuses a cross-origin POST (403) and stores nothing", async () => {
    const before = { accounts: await count("accounts"), metrics: await count("account_metrics") };
    const csv = NEW_ACCOUNTS_CSV.replaceAll("Zephyr Labs", "Xanadu Mills");
    for (const path of ["/app/import/load", "/app/import/check"]) {
      expect((await post(path, csvForm(csv), "https://evil.example")).status).toBe(403);
    }
    expect((await SELF.fetch(`${ORIGIN}/app/import/load`, { method: "POST", body: csvForm(csv) })).status).toBe(403);
    expect({ accounts: await count("accounts"), metrics: await count("account_metrics") }).toEqual(before);
  });
});

describe("who may import", () => {

  beforeAll(loadExample);

  it("a read key's session gets 403 (no Load control) on the page, and 403 on a hand-made load", async () => {
    const vars = { API_KEYS: `read:viewer:${await sha256Hex(READ_KEY)},ingest:etl:${await sha256Hex(INGEST_KEY)}` };
    const cookie = await signIn(READ_KEY, vars);
    const page = await fetchWith(vars, "/app/import", { headers: { cookie } });
    expect(page.status).toBe(403);
    const html = await page.text();
    expect(html).toContain("This needs an API key with the &#39;ingest&#39; scope");
    expect(html).not.toContain(`id="load"`);
    expect(html).not.toContain(`type="file"`);

    const before = await count("account_metrics");
    for (const path of ["/app/import/load", "/app/import/check"]) {
      const refused = await fetchWith(vars, path, { method: "POST", body: csvForm(NEW_ACCOUNTS_CSV), headers: { cookie, origin: ORIGIN } });
      expect(refused.status).toBe(403);
    }
    expect(await count("account_metrics")).toBe(before);

    const ingest = await signIn(INGEST_KEY, vars);
    expect((await fetchWith(vars, "/app/import", { headers: { cookie: ingest } })).status).toBe(200);
    const loaded = await fetchWith(vars, "/app/import/load", { method: "POST", body: csvForm(NEW_ACCOUNTS_CSV), headers: { cookie: ingest, origin: ORIGIN } });
    expect(loaded.status).toBe(200);
    expect(await count("account_metrics")).toBe(before + 3);
    const runs = await (await SELF.fetch(`${ORIGIN}/ingest/runs?limit=1`)).json<{ runs: { created_by: string | null }[] }>();
    expect(runs.runs[0]?.created_by).toBe("etl");
  });
});

describe("the import page's script and policy", () => {
  it("serves the script under a content-hashed URL, cached for a year", async () => {
    expect(IMPORT_SCRIPT).toMatch(/^\/app\/assets\/import-[0-9a-f]{12}\.js$/);
    const page = await (await SELF.fetch(`${ORIGIN}/app/import`)).text();
    expect(page).toContain(`<script src="${IMPORT_SCRIPT}" defer=""></script>`);
    const script = await SELF.fetch(`${ORIGIN}${IMPORT_SCRIPT}`);
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(script.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(await script.text()).toContain("XMLHttpRequest");
  });

  it("allows script-src 'self' and connect-src 'self' on the import page only", async () => {
    const page = await SELF.fetch(`${ORIGIN}/app/import`);
    // Its own policy keeps the console's referrer policy, under which its form's POST carries its Origin.
    expect(page.headers.get("referrer-policy")).toBe("same-origin");
    const policy = page.headers.get("content-security-policy") ?? "";
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("connect-src 'self'");
    expect(policy).not.toContain("unsafe");
    for (const path of ["/app", "/app/accounts"]) {
      const response = await SELF.fetch(`${ORIGIN}${path}`);
      const other = response.headers.get("content-security-policy") ?? "";
      expect(other).toContain("default-src 'none'");
      expect(other).not.toContain("script-src");
      expect(other).not.toContain("connect-src");
      expect(await response.text()).not.toContain("<script");
    }
  });
});

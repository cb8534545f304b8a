import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { queuesOf } from "../bindings";
import type { IngestResult } from "../contract/ingest";
import type { IngestRun } from "../contract/ingest-runs";
import type { RecomputeJob } from "../contract/health";
import { getIngestRun } from "../db/queries/ingest-runs";
import { listMeasureRanges } from "../db/queries/measures";
import { ALL_COLUMNS } from "../ingest/columns";
import { IngestError, type HeaderMismatch } from "../ingest/errors";
import { problemResponse } from "../lib/errors";
import { toIngestResult, toIngestRun, toProblem } from "../routes/ingest/ingest.mappers";
import { getRecomputeJob } from "../scoring";
import { ingestUploadRequest } from "../services/ingest/upload-request";
import { requirePageScope, requireSameOrigin, requireViewer, type ConsoleApp, type ConsoleEnv, type Viewer } from "./access";
import { consoleSecureHeaders, withOwnScript } from "./csp";
import { IMPORT_SCRIPT, IMPORT_SCRIPT_JS } from "./import-script";
import { Layout } from "./layout";

/**
 * The import page (/app/import): POST /ingest/csv as a page. Choosing a file checks it with a dry run (the same
 * service, in the same invocation, streamed as the API streams it): the header match, the unmatched headers to map,
 * the counts, warnings and first errors. Then Load stores it (its script sends the file with upload progress) and
 * follows the rescore until the scores are fresh. Without the script the form still posts the dry run and shows the
 * report; loading needs the script. The only console page with a script, so the only one whose CSP allows one.
 */

export type CheckOutcome =
  | { kind: "report"; result: IngestResult }
  | { kind: "refused"; message: string; header: HeaderMismatch | null };

export interface ImportView {
  /** The mapping the next check sends (header in the file ► column), as chosen so far. */
  mapping: Record<string, string>;
  /** What a header may be mapped to: the columns, and the declared measures. */
  targets: string[];
  outcome: CheckOutcome | null;
}

/** At most this many row errors and warnings are listed on the page (the API's answer has the first 100). */
const LISTED = 20;

const MATCHED_BY: Record<IngestResult["columns"][number]["matched_by"], string> = {
  exact: "its name",
  normalised: "its name, written another way",
  alias: "an alias",
  mapping: "your mapping",
};

function MappingSelect(props: { header: string; selected: string | null; targets: string[] }) {
  return (
    <select name="c" data-header={props.header} aria-label={`Field for the header '${props.header}'`}>
      <option value="">Ignore</option>
      {props.targets.map((target) => (
        <option value={target} selected={props.selected === target}>
          {target}
        </option>
      ))}
    </select>
  );
}

/** Which header became which field; the unmatched ones (and the ones mapped by hand) with a choice of field. */
function HeaderMatch(props: { rows: { header: string; column: string | null; how: string; mappable: boolean }[]; targets: string[] }) {
  return (
    <form id="mapping-form" method="get" action="/app/import">
      <div class="table-scroll" tabindex={0} role="region" aria-label="Header match">
        <table>
          <caption>Header match</caption>
          <thead>
            <tr>
              <th scope="col">Header in the file</th>
              <th scope="col">Field</th>
              <th scope="col">Matched by</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((row) => (
              <tr>
                <th scope="row">{row.header}</th>
                <td>
                  {row.mappable ? (
                    <>
                      <input type="hidden" name="h" value={row.header} />
                      <MappingSelect header={row.header} selected={row.column} targets={props.targets} />
                    </>
                  ) : (
                    row.column
                  )}
                </td>
                <td>{row.how}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {props.rows.some((row) => row.mappable) && (
        <p>
          <button type="submit">Apply the mapping</button>
          <span class="needs-script"> (then choose the file again and check it)</span>
        </p>
      )}
    </form>
  );
}

function Count(props: { label: string; value: number }) {
  return (
    <div class="card">
      <dt>{props.label}</dt>
      <dd>{props.value.toLocaleString("en-US")}</dd>
    </div>
  );
}

function DryRunReport(props: { result: IngestResult; targets: string[] }) {
  const { result } = props;
  const accepted = result.rows_total - result.rows_rejected;
  const rows = [
    ...result.columns.map((match) => ({
      header: match.header,
      column: match.column,
      how: MATCHED_BY[match.matched_by],
      mappable: match.matched_by === "mapping",
    })),
    ...result.ignored_headers.map((header) => ({ header, column: null, how: "nothing: ignored", mappable: true })),
  ];
  return (
    <>
      <h2>Dry run{result.file_name ? ` of ${result.file_name}` : ""}</h2>
      <p role="status">{result.message}</p>
      <dl class="cards">
        <Count label="Rows read" value={result.rows_total} />
        <Count label="Rows accepted" value={accepted} />
        <Count label="Rows rejected" value={result.rows_rejected} />
        <Count label="Accounts to create" value={result.accounts_created} />
        <Count label="Accounts to update" value={result.accounts_updated} />
        <Count label="Metrics to create" value={result.metrics_created} />
        <Count label="Metrics to update" value={result.metrics_updated} />
        <Count label="Warnings" value={result.warning_count} />
      </dl>
      <HeaderMatch rows={rows} targets={props.targets} />
      {result.error_count > 0 && (
        <div class="table-scroll" tabindex={0} role="region" aria-label="Errors">
          <table>
            <caption>
              {result.error_count > LISTED ? `The first ${LISTED} of ${result.error_count} errors` : "Errors"}
            </caption>
            <thead>
              <tr>
                <th scope="col" class="number">
                  Line
                </th>
                <th scope="col">Column</th>
                <th scope="col">Value</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {result.row_errors.slice(0, LISTED).map((error) => (
                <tr>
                  <td class="number">{error.line}</td>
                  <td>{error.column ?? "(the line)"}</td>
                  <td>{error.value ?? ""}</td>
                  <td>{error.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {result.warning_count > 0 && (
        <div class="table-scroll" tabindex={0} role="region" aria-label="Warnings">
          <table>
            <caption>
              {result.warning_count > LISTED ? `The first ${LISTED} of ${result.warning_count} warnings` : "Warnings"}
            </caption>
            <thead>
              <tr>
                <th scope="col" class="number">
                  Line
                </th>
                <th scope="col">Column</th>
                <th scope="col">Warning</th>
              </tr>
            </thead>
            <tbody>
              {result.warnings.slice(0, LISTED).map((warning) => (
                <tr>
                  <td class="number">{warning.line}</td>
                  <td>{warning.column ?? ""}</td>
                  <td>{warning.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {accepted > 0 ? (
        <div class="load-step">
          <p class="needs-script">
            Loading the file needs JavaScript (for its progress). Without it, upload the file with the API:{" "}
            <code>POST /ingest/csv</code>.
          </p>
          <button type="button" id="load" class="primary" hidden>
            Load {accepted.toLocaleString("en-US")} rows
          </button>
        </div>
      ) : (
        <p class="error">No row of this file can be stored: correct it and check it again.</p>
      )}
    </>
  );
}

function Refusal(props: { message: string; header: HeaderMismatch | null; targets: string[] }) {
  const header = props.header;
  return (
    <>
      <h2>This file cannot be loaded</h2>
      <div class="error" role="alert">
        <p>{props.message}</p>
      </div>
      {header && header.missing.length > 0 && header.unmatched.length > 0 && (
        <>
          <p>
            Missing: {header.missing.join(", ")}. Map a header of the file to {header.missing.length === 1 ? "it" : "them"}:
          </p>
          <HeaderMatch
            rows={header.unmatched.map((name) => ({ header: name, column: null, how: "nothing", mappable: true }))}
            targets={props.targets}
          />
        </>
      )}
    </>
  );
}

export function ImportPage(props: { viewer: Viewer; view: ImportView }) {
  const { mapping, targets, outcome } = props.view;
  const mapped = Object.entries(mapping);
  return (
    <Layout
      title="Import"
      viewer={props.viewer}
      head={<script src={IMPORT_SCRIPT} defer />}
    >
      <h1>Import</h1>
      <p class="as-of">
        Daily account metrics as CSV, in the format of <a href="/docs">POST /ingest/csv</a>. The file is checked first
        (a dry run: nothing is stored); then Load stores it and rescores the accounts it changes.
      </p>
      <form id="import-form" class="filters" method="post" action="/app/import/check" enctype="multipart/form-data">
        <input type="hidden" id="mapping" name="mapping" value={mapped.length > 0 ? JSON.stringify(mapping) : ""} />
        <label>
          CSV file
          <input id="file" type="file" name="file" accept=".csv,text/csv,text/plain" required />
        </label>
        <button type="submit">Check the file</button>
      </form>
      {mapped.length > 0 && (
        <p id="mapping-note">
          Mapping: {mapped.map(([header, column]) => `${header} → ${column}`).join(", ")}.
        </p>
      )}
      <div id="report" aria-live="polite">
        {outcome?.kind === "report" && <DryRunReport result={outcome.result} targets={targets} />}
        {outcome?.kind === "refused" && <Refusal message={outcome.message} header={outcome.header} targets={targets} />}
      </div>
      <section id="loading" class="panel" aria-labelledby="loading-title" hidden>
        <h2 id="loading-title" tabindex={-1}>
          Loading
        </h2>
        <p class="progress">
          <label for="upload-bar">Upload</label>
          <progress id="upload-bar" max={100} value={0} />
        </p>
        <p class="progress">
          <label for="rescore-bar">Rescore</label>
          <progress id="rescore-bar" max={100} value={0} />
        </p>
        <div id="load-status" role="status" />
        <p id="load-done" hidden>
          <a href="/app/accounts">See the accounts</a>
        </p>
      </section>
    </Layout>
  );
}

/** Where the rescore after a load stands, for the page's script. */
interface LoadStatus {
  run: IngestRun;
  job: RecomputeJob | null;
  /** `fresh`: the scores include the upload; `rescoring`: a queued job is at it; `behind`: it failed. */
  scores: "fresh" | "rescoring" | "behind";
  /** The rescore's part done, 0 to 1. */
  progress: number;
  detail: string;
}

function loadStatus(run: IngestRun, job: RecomputeJob | null): LoadStatus {
  if (job) {
    const progress = job.status === "completed" ? 1 : job.chunks_total === 0 ? 0 : job.chunks_done / job.chunks_total;
    if (job.status === "completed") return { run, job, scores: "fresh", progress, detail: "The scores are up to date." };
    if (job.status === "failed") {
      return { run, job, scores: "behind", progress, detail: `Rescoring failed (${job.error ?? "no reason given"}); the daily cron rescores these accounts.` };
    }
    return { run, job, scores: "rescoring", progress, detail: `Rescored ${job.accounts_updated} of ${job.accounts_total} accounts.` };
  }
  if (run.status === "running") return { run, job, scores: "rescoring", progress: 0, detail: "The upload is still running." };
  // Without a job the rescore ran before the upload answered: its figures are on the run, unless it failed.
  if (run.scores_written !== null) return { run, job, scores: "fresh", progress: 1, detail: "The scores are up to date." };
  return { run, job, scores: "behind", progress: 0, detail: run.failure_reason ?? "The accounts were not rescored; the daily cron rescores them." };
}

/** The mapping a GET carries (the no-script form): pairs of `h` (header) and `c` (column), "" for none. */
function mappingFromQuery(c: Context<ConsoleEnv>): Record<string, string> {
  const headers = c.req.queries("h") ?? [];
  const columns = c.req.queries("c") ?? [];
  const mapping: Record<string, string> = {};
  headers.slice(0, c.get("config").limits.maxColumns).forEach((header, index) => {
    const column = columns[index];
    if (column) mapping[header] = column;
  });
  return mapping;
}

async function mappingTargets(c: Context<ConsoleEnv>): Promise<string[]> {
  const measures = await listMeasureRanges(c.get("db"));
  return [...ALL_COLUMNS, ...measures.map((measure) => measure.name)];
}

function uploadOf(c: Context<ConsoleEnv>, dryRun: boolean) {
  return ingestUploadRequest(
    { db: c.get("db"), queues: queuesOf(c.env), createdBy: c.get("apiKeyName") ?? null },
    c.get("config"),
    { headers: c.req.raw.headers, body: c.req.raw.body, dryRun },
  );
}

const runParams = z.object({ id: z.coerce.number().int().positive() });
const runQuery = z.object({ job: z.coerce.number().int().positive().optional() });

export function registerImportPage(pages: ConsoleApp) {
  const ownScriptPolicy = consoleSecureHeaders(withOwnScript());

  pages.get(IMPORT_SCRIPT, (c) =>
    c.body(IMPORT_SCRIPT_JS, 200, {
      "Content-Type": "text/javascript; charset=utf-8",
      "Cache-Control": "public, max-age=31536000, immutable",
    }),
  );

  pages.get("/app/import", requireViewer, requirePageScope("ingest"), ownScriptPolicy, async (c) => {
    const view = { mapping: mappingFromQuery(c), targets: await mappingTargets(c), outcome: null };
    return c.html(<ImportPage viewer={c.get("viewer")} view={view} />);
  });

  // The dry run, as POST /ingest/csv?dry_run=true: the same report, nothing stored but the run's record.
  pages.post("/app/import/check", requireViewer, requirePageScope("ingest"), ownScriptPolicy, async (c) => {
    requireSameOrigin(c, "Checking a file");
    const targets = await mappingTargets(c);
    const viewer = c.get("viewer");
    try {
      const result = toIngestResult(await uploadOf(c, true));
      const mapping = Object.fromEntries(result.columns.filter((match) => match.matched_by === "mapping").map((match) => [match.header, match.column]));
      return c.html(<ImportPage viewer={viewer} view={{ mapping, targets, outcome: { kind: "report", result } }} />);
    } catch (error) {
      if (!(error instanceof IngestError)) throw error;
      c.status(toProblem(error).status);
      const outcome: CheckOutcome = { kind: "refused", message: error.message, header: error.header ?? null };
      return c.html(<ImportPage viewer={viewer} view={{ mapping: {}, targets, outcome }} />);
    }
  });

  // The load, for the page's script: the API's answer (IngestResult, or its problem).
  pages.post("/app/import/load", requireViewer, requirePageScope("ingest"), async (c) => {
    requireSameOrigin(c, "Loading a file");
    try {
      return c.json(toIngestResult(await uploadOf(c, false)), 200);
    } catch (error) {
      if (!(error instanceof IngestError)) throw error;
      const problem = toProblem(error);
      return problemResponse(c, problem.code, problem.detail, problem.fieldErrors);
    }
  });

  // A read of the run (GET /ingest/runs/{id}) and of its rescore job (GET /health/recompute/jobs/{id}).
  pages.get("/app/import/runs/:id", requireViewer, async (c) => {
    const params = runParams.safeParse(c.req.param());
    const query = runQuery.safeParse(c.req.query());
    if (!params.success || !query.success) return problemResponse(c, "validation_error", "Expected a run id and, optionally, a job id.");
    const run = await getIngestRun(c.get("db"), params.data.id);
    if (!run) return problemResponse(c, "not_found", `No ingest run has id ${params.data.id}.`);
    const job = query.data.job === undefined ? null : await getRecomputeJob(c.get("db"), query.data.job);
    if (query.data.job !== undefined && !job) return problemResponse(c, "not_found", `No recompute job has id ${query.data.job}.`);
    return c.json(loadStatus(toIngestRun(run), job), 200);
  });
}

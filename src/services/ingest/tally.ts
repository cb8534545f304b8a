import type { IngestCounts, IngestRunOutcome } from "../../db/queries/ingest-runs";
import type { BatchOutcome } from "../../db/queries/metric-batches";
import type { ChangedRange } from "../../db/schema";
import type { RowWarning } from "../../ingest/columns";
import type { RowError } from "../../ingest/validate-row";

/** What the upload has read, rejected and committed so far. */
export class IngestTally {
  bytesRead = 0;
  rowsTotal = 0;
  rowsRejected = 0;
  errorCount = 0;
  readonly rowErrors: RowError[] = [];
  warningCount = 0;
  readonly warnings: RowWarning[] = [];
  rowsCommitted = 0;
  metricsCreated = 0;
  metricsUpdated = 0;
  /** D1 rows the committed batches wrote. */
  rowsWritten = 0;
  readonly createdAccountIds = new Set<number>();
  readonly changedAccountIds = new Set<number>();
  /** A dry run's accounts, which have no ids: those that would be created, and existing ones that would change. */
  wouldCreateAccounts = 0;
  wouldUpdateAccounts = 0;
  /** The latest metric date the upload created or changed (the `as_of` of its ingest.completed event). */
  latestChangedDate: string | null = null;
  /** Per account, the first and last date the upload changed; null once more than `maxTrackedAccounts` changed. */
  private changedDates: Map<number, [string, string]> | null = new Map();

  constructor(
    private readonly maxReportedErrors: number,
    private readonly maxTrackedAccounts = Number.POSITIVE_INFINITY,
  ) {}

  warn(warnings: readonly RowWarning[]): void {
    this.warningCount += warnings.length;
    for (const warning of warnings) {
      if (this.warnings.length >= this.maxReportedErrors) break;
      this.warnings.push(warning);
    }
  }

  reject(errors: readonly RowError[]): void {
    this.rowsRejected++;
    this.errorCount += errors.length;
    for (const error of errors) {
      if (this.rowErrors.length >= this.maxReportedErrors) break;
      this.rowErrors.push(error);
    }
  }

  commit(outcome: BatchOutcome, rows: number): void {
    this.rowsCommitted += rows;
    this.metricsCreated += outcome.metricsCreated;
    this.metricsUpdated += outcome.metricsUpdated;
    this.rowsWritten += outcome.rowsWritten;
    for (const id of outcome.createdAccountIds) this.createdAccountIds.add(id);
    for (const id of outcome.changedAccountIds) this.changedAccountIds.add(id);
    for (const [, , last] of outcome.changedRanges) {
      if (this.latestChangedDate === null || last > this.latestChangedDate) this.latestChangedDate = last;
    }
    this.trackChangedDates(outcome.changedRanges);
  }

  private trackChangedDates(ranges: readonly ChangedRange[]): void {
    const tracked = this.changedDates;
    if (!tracked) return;
    for (const [accountId, first, last] of ranges) {
      const known = tracked.get(accountId);
      tracked.set(accountId, known ? [first < known[0] ? first : known[0], last > known[1] ? last : known[1]] : [first, last]);
    }
    // Past this many accounts the rescore is a queued job, which reads the ranges from D1: memory stays bounded.
    if (tracked.size > this.maxTrackedAccounts) this.changedDates = null;
  }

  /** The dates the upload changed, per account; null when it changed too many accounts to keep them in memory. */
  changedRanges(): ChangedRange[] | null {
    if (!this.changedDates) return null;
    return [...this.changedDates].map(([accountId, [first, last]]) => [accountId, first, last]);
  }

  get accountsUpdated(): number {
    let updated = this.wouldUpdateAccounts;
    for (const id of this.changedAccountIds) if (!this.createdAccountIds.has(id)) updated++;
    return updated;
  }

  counts(): IngestCounts {
    return {
      bytesRead: this.bytesRead,
      rowsTotal: this.rowsTotal,
      rowsRejected: this.rowsRejected,
      accountsCreated: this.createdAccountIds.size + this.wouldCreateAccounts,
      accountsUpdated: this.accountsUpdated,
      metricsCreated: this.metricsCreated,
      metricsUpdated: this.metricsUpdated,
    };
  }

  /** The run's record of how the upload ended, as far as it got; `started` is its start, in epoch milliseconds. */
  runOutcome(status: IngestRunOutcome["status"], failureReason: string | null, started: number): IngestRunOutcome {
    return {
      status,
      ...this.counts(),
      errors: this.rowErrors,
      failureReason,
      finishedAt: new Date().toISOString(),
      durationMs: Date.now() - started,
    };
  }
}

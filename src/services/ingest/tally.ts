import type { IngestCounts, IngestRunOutcome } from "../../db/queries/ingest-runs";
import type { BatchOutcome } from "../../db/queries/metric-batches";
import type { RowError, RowWarning } from "../../ingest/validate-row";

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

  constructor(private readonly maxReportedErrors: number) {}

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

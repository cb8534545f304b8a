import type { MetricRow } from "../../ingest/validate-row";
import { errorMessage } from "../../lib/errors";
import type { Database } from "../../lib/types";
import type { IngestTally } from "./tally";
import { writeMetricBatch } from "./writer";

/** A D1 batch failed; the batches before it are committed. */
export class BatchWriteError extends Error {
  override name = "BatchWriteError";
  constructor(
    readonly firstLine: number,
    readonly lastLine: number,
    cause: unknown,
  ) {
    super(`Writing the rows of lines ${firstLine}-${lastLine} failed: ${errorMessage(cause)}`, { cause });
  }
}

/** Where the valid rows of an upload go, batch by batch. */
export interface BatchSink {
  write(rows: MetricRow[], firstLine: number, lastLine: number): Promise<void>;
  /** Waits for the writes in flight; throws the failure of any. */
  flush(): Promise<void>;
  /** Waits for the writes in flight without throwing. */
  settle(): Promise<void>;
  /** Time spent waiting for writes. */
  readonly waitedMs: number;
}

/** A dry run's sink: the rows go nowhere. */
export const NO_WRITES: BatchSink = {
  write: () => Promise.resolve(),
  flush: () => Promise.resolve(),
  settle: () => Promise.resolve(),
  waitedMs: 0,
};

/**
 * Keeps one batch write in flight while the next batch is parsed, so against remote D1 the parsing overlaps the
 * round trip (locally both share a thread and it makes no difference). A failure surfaces at the next write.
 */
export class BatchPipeline implements BatchSink {
  private inFlight: Promise<void> = Promise.resolve();
  private failure: BatchWriteError | undefined;
  /** Time spent waiting for D1 with nothing else to do: the writes that parsing could not hide. */
  waitedMs = 0;

  constructor(
    private readonly db: Database,
    private readonly runId: number,
    private readonly tally: IngestTally,
  ) {}

  async write(rows: MetricRow[], firstLine: number, lastLine: number): Promise<void> {
    await this.flush();
    this.inFlight = writeMetricBatch(this.db, this.runId, rows).then(
      (outcome) => this.tally.commit(outcome, rows.length),
      (error: unknown) => {
        this.failure = new BatchWriteError(firstLine, lastLine, error);
      },
    );
  }

  async flush(): Promise<void> {
    const started = Date.now();
    await this.inFlight;
    this.waitedMs += Date.now() - started;
    if (this.failure) throw this.failure;
  }

  /** Waits for the write in flight without throwing, so the tally holds exactly what was committed. */
  settle(): Promise<void> {
    return this.inFlight;
  }
}

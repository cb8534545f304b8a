import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { readCsvRecords } from "../../src/ingest/csv-stream";
import { decodeUtf8 } from "../../src/ingest/decode-utf8";
import { drainableBody } from "../../src/ingest/drainable-body";
import { CsvFormatError } from "../../src/ingest/errors";
import { parseConfig } from "../../src/lib/config";

const CHUNK = 64 * 1024;

/** A request body of `chunks` chunks of CHUNK bytes on one line, which says how much of it was read and if it was cancelled. */
function watchedBody(chunks: number) {
  const seen = { bytes: 0, cancelled: false, total: chunks * CHUNK };
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === chunks) return controller.close();
      sent++;
      seen.bytes += CHUNK;
      controller.enqueue(new Uint8Array(CHUNK).fill(0x61));
    },
    cancel() {
      seen.cancelled = true;
    },
  }, { highWaterMark: 0 });
  return { stream, seen };
}

async function refuseEarly(stream: ReadableStream<Uint8Array>): Promise<unknown> {
  try {
    for await (const batch of readCsvRecords(stream.pipeThrough(decodeUtf8()), { maxLineChars: 1000 })) void batch;
  } catch (error) {
    return error;
  }
  return null;
}

describe("an upload refused before its end reads the rest of its body before answering", () => {
  it("keeps the request body open when the upload's reader gives up, and drains the rest of it", async () => {
    const { stream, seen } = watchedBody(40);
    const body = drainableBody(stream, Number.NaN);
    expect(await refuseEarly(body.stream)).toBeInstanceOf(CsvFormatError);
    expect(seen.cancelled).toBe(false);
    expect(seen.bytes).toBeLessThan(seen.total);
    const drained = await body.drain(100 * CHUNK);
    expect(drained.complete).toBe(true);
    expect(seen.bytes).toBe(seen.total);
    expect(drained.bytes).toBeGreaterThan(0);
  });

  it("stops at the upload limit, counting what the upload read, and cancels the rest", async () => {
    const { stream, seen } = watchedBody(40);
    const body = drainableBody(stream, Number.NaN);
    await refuseEarly(body.stream);
    const drained = await body.drain(10 * CHUNK);
    expect(drained.complete).toBe(false);
    expect(seen.bytes).toBe(11 * CHUNK);
    expect(seen.cancelled).toBe(true);
  });

  it("does not read a body whose Content-Length is past the limit", async () => {
    const { stream, seen } = watchedBody(40);
    const body = drainableBody(stream, 40 * CHUNK);
    expect(await body.drain(10 * CHUNK)).toEqual({ bytes: 0, complete: false });
    expect(seen).toMatchObject({ bytes: 0, cancelled: true });
  });

  it("reads a refused upload's body to its end through the API, and answers the 400", async () => {
    const { stream, seen } = watchedBody(48);
    const response = await SELF.fetch("https://api.test/ingest/csv", {
      method: "POST",
      body: stream,
      headers: { "content-type": "text/csv" },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ title: "Invalid CSV" });
    expect(seen).toMatchObject({ bytes: seen.total, cancelled: false });
  });

  it("drains outside production only", () => {
    expect(parseConfig({}).drainRejectedUploads).toBe(true);
    expect(parseConfig({ ENVIRONMENT: "production" }).drainRejectedUploads).toBe(false);
  });
});

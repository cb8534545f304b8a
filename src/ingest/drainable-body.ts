/**
 * wrangler dev's proxy loses the answer to a request whose body the Worker stopped reading (it answers 500 "Network
 * connection lost" instead of the Worker's 400: cloudflare/workers-sdk#15203). An upload refused on its first lines
 * (a line too long, a bad header) is such a request. Behind this wrapper the upload's readers may cancel as they
 * like: the request body stays open, and `drain` reads the rest of it (up to a bound) before the answer goes out.
 */
export interface DrainableBody {
  /** The request body for the upload's readers; cancelling it leaves the request body to `drain`. */
  stream: ReadableStream<Uint8Array>;
  /**
   * Reads and discards what is left of the request body while the whole body stays within `maxBytes` (past that,
   * cancels it): the bytes it discarded, and whether it reached the end.
   */
  drain(maxBytes: number): Promise<{ bytes: number; complete: boolean }>;
}

/** `declaredBytes`: the request's Content-Length (NaN without one): a body declared too long is not drained. */
export function drainableBody(body: ReadableStream<Uint8Array>, declaredBytes: number): DrainableBody {
  const reader = body.getReader();
  let ended = false;
  let cancelled = false;
  let bytes = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await reader.read();
        if (cancelled) return;
        if (next.done) {
          ended = true;
          controller.close();
        } else {
          bytes += next.value.byteLength;
          controller.enqueue(next.value);
        }
      },
      cancel() {
        cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return {
    stream,
    async drain(maxBytes) {
      let discarded = 0;
      if (declaredBytes > maxBytes) {
        await reader.cancel().catch(() => undefined);
        return { bytes: discarded, complete: false };
      }
      try {
        while (!ended) {
          const next = await reader.read();
          if (next.done) {
            ended = true;
            break;
          }
          discarded += next.value.byteLength;
          if (bytes + discarded > maxBytes) {
            await reader.cancel();
            return { bytes: discarded, complete: false };
          }
        }
      } catch {
        // The client went away: nothing is left to read.
        return { bytes: discarded, complete: false };
      }
      return { bytes: discarded, complete: true };
    },
  };
}

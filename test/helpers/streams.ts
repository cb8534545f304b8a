/**
 * A stream that delivers exactly these chunks, so a test decides where the boundaries fall; then it ends, or errors
 * with `failure` when one is given.
 */
export function streamOf<T>(chunks: readonly T[], failure?: Error): ReadableStream<T> {
  let index = 0;
  return new ReadableStream<T>({
    pull(controller) {
      const chunk = chunks[index++];
      if (chunk !== undefined) controller.enqueue(chunk);
      else if (failure) controller.error(failure);
      else controller.close();
    },
  });
}

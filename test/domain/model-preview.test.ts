import { describe, expect, it } from "vitest";
import { bucketChanges, type BucketMove } from "../../src/domain/model-preview";
import { BUCKETS } from "../../src/domain/types";

describe("bucketChanges", () => {
  it("counts the moves between different buckets only, ARR to the cent", () => {
    const figures: Record<string, [number, number]> = {
      "Healthy>Healthy": [10, 1_000_000],
      "Healthy>At-Risk": [2, 100_000.1],
      "At-Risk>Critical": [1, 50_000.2],
      "Critical>Critical": [4, 9_999],
      "Critical>Healthy": [3, 0.1],
    };
    const moves: BucketMove[] = BUCKETS.flatMap((from) =>
      BUCKETS.map((to) => {
        const [accounts, arr] = figures[`${from}>${to}`] ?? [0, 0];
        return { from, to, accounts, arr };
      }),
    );
    expect(bucketChanges(moves)).toEqual({ accounts: 6, arr: 150_000.4 });
  });

  it("is zero when nothing moves", () => {
    expect(bucketChanges(BUCKETS.map((bucket) => ({ from: bucket, to: bucket, accounts: 5, arr: 10 })))).toEqual({ accounts: 0, arr: 0 });
  });
});

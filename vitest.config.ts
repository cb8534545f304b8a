import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
  // The real migrations, applied to each test run's local D1 by test/setup.ts.
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));

  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          // FUZZ_RUNS: cases per property test (1,000 in CI; `npm run test:fuzz` runs more).
          bindings: { TEST_MIGRATIONS: migrations, FUZZ_RUNS: process.env.FUZZ_RUNS ?? "1000" },
          ratelimits: {
            // Tests call the insight routes far more often than wrangler.toml's 30 a minute allows.
            INSIGHTS_RATE_LIMITER: { namespace_id: "1001", simple: { limit: 10_000, period: 60 } },
            // A tight limiter the rate-limit test swaps in for the real one.
            TEST_TIGHT_RATE_LIMITER: { namespace_id: "1002", simple: { limit: 2, period: 60 } },
          },
        },
      }),
    ],
    test: {
      include: ["test/**/*.test.ts"],
      setupFiles: ["./test/setup.ts"],
      globalSetup: ["./test/global-setup.ts"],
      silent: "passed-only" as const,
    },
  };
});

import path from "node:path";
import { defineConfig } from "vitest/config";

/**
 * `npm run test:browser`: headless Chromium (Debian's `chromium`, driven by playwright-core) against `wrangler dev`, in
 * Node rather than workerd. Its own config, so `npm test` (workerd) never picks these files up.
 */
export default defineConfig({
  test: {
    root: path.join(import.meta.dirname, "..", ".."),
    include: ["test/browser/**/*.browser.ts"],
    environment: "node",
    testTimeout: 90_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});

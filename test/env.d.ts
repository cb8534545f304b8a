declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    TEST_TIGHT_RATE_LIMITER: RateLimit;
    FUZZ_RUNS: string;
  }
}

declare module "*.csv?raw" {
  const text: string;
  export default text;
}

declare module "*.md?raw" {
  const text: string;
  export default text;
}

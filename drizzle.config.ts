import { defineConfig } from "drizzle-kit";

// `out` is wrangler's migrations_dir: drizzle-kit writes flat NNNN_name.sql files that wrangler and the tests apply.
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/schema.ts",
  out: "./migrations",
});

// `node scripts/openapi-document.ts [out.json]`: the OpenAPI document, generated offline from the app itself (no
// server, no network, no database: GET /openapi.json queries nothing), written to `out.json` or printed. The source of
// `npm run lint:openapi` and `npm run client:generate`.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import "./lib/load-src.ts";

const { createApp } = await import("../src/app.ts");
// The app logs each request as a JSON line on stdout; here the document is all there is to print.
console.log = () => {};

/** The request never reaches D1; a query would mean the document depends on data, which it must not. */
const offline = (): never => {
  throw new Error("GET /openapi.json must not query D1");
};
const database = { withSession: () => ({ prepare: offline, batch: offline, getBookmark: () => null }) };

const response = await createApp().request("http://localhost/openapi.json", {}, { ENVIRONMENT: "development", DB: database });
if (response.status !== 200) throw new Error(`GET /openapi.json answered ${response.status}: ${await response.text()}`);
const text = `${JSON.stringify(await response.json(), null, 2)}\n`;
const out = process.argv[2];
if (out) {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, text);
} else {
  process.stdout.write(text);
}

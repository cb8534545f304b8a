// `npm run docs:assets` (also run by `npm install`, as postinstall): copies the Swagger UI and ReDoc files the docs
// pages load from the pinned npm packages in node_modules into the Workers static assets folder (gitignored), which
// `wrangler dev`, the tests and `wrangler deploy` serve. The list lives in src/routes/docs/assets.ts, with the pages.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { ASSETS_DIRECTORY, DOCS_ASSETS, type DocsAsset } from "../src/routes/docs/assets.ts";

const root = join(import.meta.dirname, "..");
const target = join(root, ASSETS_DIRECTORY);
// Anew each time, so a file dropped from the list does not linger and get deployed.
rmSync(join(target, "docs-assets"), { recursive: true, force: true });
const assets: DocsAsset[] = Object.values(DOCS_ASSETS);
for (const { path, source, replace } of assets) {
  const from = join(root, "node_modules", source);
  const destination = join(target, path);
  mkdirSync(dirname(destination), { recursive: true });
  if (!replace) {
    copyFileSync(from, destination);
    continue;
  }
  const text = readFileSync(from, "utf8");
  // Not an error, so that `npm install` still works after an upgrade moved it: the CSP stops the request, and the
  // browser test (npm run test:browser) reports it.
  if (!text.includes(replace.text)) console.warn(`docs assets: '${replace.text}' is no longer in ${source}; update src/routes/docs/assets.ts`);
  writeFileSync(destination, text.replaceAll(replace.text, replace.with));
}
console.log(`docs assets: ${Object.keys(DOCS_ASSETS).length} files copied into ${ASSETS_DIRECTORY}/docs-assets`);

/**
 * The docs pages' scripts and styles: files of pinned npm packages (package.json), copied from node_modules into the
 * Workers static assets folder by `npm run docs:assets` (scripts/docs-assets.ts, run on every `npm install`) and served
 * from there (wrangler.toml `[assets]`), so /docs and /redoc load nothing from another host. No imports: the copy
 * script reads this file too.
 */

/** wrangler.toml `[assets] directory`; gitignored, filled from node_modules. */
export const ASSETS_DIRECTORY = "public";

export interface DocsAsset {
  path: string;
  source: string;
  replace?: { text: string; with: string };
}

/** An image that draws nothing, as a data: URL (no double quotes: it replaces a string inside the bundle's code). */
const BLANK_IMAGE = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/%3E";

/**
 * URL path of each file, the file in node_modules it is copied from and, where the file would make the browser ask
 * another host for something, the text replaced in the copy: ReDoc's sidebar badge is an image on cdn.redoc.ly, which
 * the CSP would block (a failed request and a console error on every visit); the link "API docs by Redocly" stays.
 */
export const DOCS_ASSETS = {
  swaggerUiCss: { path: "/docs-assets/swagger-ui/swagger-ui.css", source: "swagger-ui-dist/swagger-ui.css" },
  swaggerUiBundle: { path: "/docs-assets/swagger-ui/swagger-ui-bundle.js", source: "swagger-ui-dist/swagger-ui-bundle.js" },
  swaggerUiLicense: { path: "/docs-assets/swagger-ui/LICENSE", source: "swagger-ui-dist/LICENSE" },
  redocBundle: {
    path: "/docs-assets/redoc/redoc.standalone.js",
    source: "redoc/bundles/redoc.standalone.js",
    replace: { text: "https://cdn.redoc.ly/redoc/logo-mini.svg", with: BLANK_IMAGE },
  },
  redocLicense: { path: "/docs-assets/redoc/LICENSE", source: "redoc/LICENSE" },
} satisfies Record<string, DocsAsset>;

import { SERVICE_NAME } from "../../lib/service-info";
import { DOCS_ASSETS } from "./assets";

/**
 * Swagger UI and ReDoc pages, served with their scripts from this Worker (./assets.ts), under a CSP that allows
 * nothing from another host. No inline script: Swagger UI starts from SWAGGER_INIT_PATH, a file of ours.
 */

export const OPENAPI_PATH = "/openapi.json";
export const SWAGGER_INIT_PATH = "/docs/swagger-init.js";

/**
 * Scripts, the document and "Try it out" requests only from this origin. `style-src 'unsafe-inline'`: both UIs set
 * inline styles (ReDoc through styled-components). `img-src 'self' data:`: their icons are data: URLs, and it stops
 * ReDoc's attribution badge, an image on cdn.redoc.ly. `worker-src blob:`: ReDoc runs its search index in a Worker
 * made from a blob.
 */
export const DOCS_CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", "data:"],
  fontSrc: ["'self'", "data:"],
  connectSrc: ["'self'"],
  workerSrc: ["'self'", "blob:"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'self'"],
};

export const SWAGGER_UI_PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${SERVICE_NAME}: Swagger UI</title>
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <link rel="stylesheet" href="${DOCS_ASSETS.swaggerUiCss.path}" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="${DOCS_ASSETS.swaggerUiBundle.path}" charset="utf-8"></script>
    <script src="${SWAGGER_INIT_PATH}" charset="utf-8"></script>
  </body>
</html>`;

/** `validatorUrl: null`: Swagger UI would otherwise send the document to validator.swagger.io for a badge. */
export const SWAGGER_INIT_SCRIPT = `window.ui = SwaggerUIBundle({
  url: ${JSON.stringify(OPENAPI_PATH)},
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});
`;

export const REDOC_PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${SERVICE_NAME}: ReDoc</title>
    <meta name="viewport" content="width=device-width, initial-scale=1" />
  </head>
  <body>
    <redoc spec-url="${OPENAPI_PATH}"></redoc>
    <script src="${DOCS_ASSETS.redocBundle.path}" charset="utf-8"></script>
  </body>
</html>`;

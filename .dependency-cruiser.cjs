/* global module */
/**
 * The layers of src/ (docs/architecture.md, "Layers"), checked by `npm run lint:arch`. One rule a line, with its reason.
 * @type {import("dependency-cruiser").IConfiguration}
 */
const rule = (name, comment, from, to) => ({ name, comment, severity: "error", from, to });

module.exports = {
  forbidden: [
    rule("no-circular", "A circle means neither side can be read or changed alone.", {}, { circular: true }),
    rule("db-below-callers", "Storage answers queries; it never knows who asks or how they speak HTTP.", { path: "^src/db/" }, { path: "^src/(routes|services|scoring|console)/" }),
    rule("services-below-routes", "Services are shared by the routes, the console, the cron and the queues; none may depend on HTTP wiring.", { path: "^src/(services|scoring)/" }, { path: "^src/routes/" }),
    rule("contract-is-leaf", "The API contract (zod schemas, constants) is read by every layer, so it builds on nothing but zod, the domain and itself.", { path: "^src/contract/" }, { path: "^src/(?!contract/|domain/)", pathNot: "^node_modules/(zod|@hono/zod-openapi)/" }),
    rule("domain-is-pure", "The domain is plain functions over plain values, testable without a runtime or a database.", { path: "^src/domain/" }, { path: "^src/(?!domain/)" }),
    rule("lib-below-services", "lib/ holds the small shared tools that services and routes build on, never the reverse.", { path: "^src/lib/" }, { path: "^src/(services|routes|scoring|console)/" }),
    rule("reference-for-tests-only", "domain/reference/ is the plain model the SQL pipeline is proved against; production code must not use it.", { path: "^src/", pathNot: "^src/domain/reference/" }, { path: "^src/domain/reference/" }),
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
  },
};

// Lets Node 24 import the Worker's TypeScript sources (src/) as they are, with no build step: src/ imports its modules
// without extensions and package.json without an import attribute, as the bundlers (wrangler's esbuild, vitest) allow
// and Node's ESM resolution does not. Node strips the types itself; run with --experimental-transform-types, since
// src/ uses parameter properties, which plain type stripping refuses.
import { registerHooks } from "node:module";

registerHooks({
  resolve(specifier, context, nextResolve) {
    const fromTypeScript = context.parentURL?.endsWith(".ts") ?? false;
    const isRelative = specifier.startsWith("./") || specifier.startsWith("../");
    if (fromTypeScript && isRelative && !/\.[cm]?[jt]s$|\.json$/.test(specifier)) {
      try {
        return nextResolve(`${specifier}.ts`, context);
      } catch {
        return nextResolve(`${specifier}/index.ts`, context);
      }
    }
    const resolved = nextResolve(specifier, context);
    return resolved.url.endsWith(".json") ? { ...resolved, importAttributes: { type: "json" } } : resolved;
  },
});

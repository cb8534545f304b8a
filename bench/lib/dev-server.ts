/**
 * Starts `wrangler dev` against a fresh local D1 in its own state directory, so a benchmark never touches the developer's
 * data, and stops it when done (or, with `stateDir` and `keepState`, restarts on the data a previous server left).
 * Wrangler's own output goes to a log file in that directory, shown when start-up fails.
 */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, openSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..", "..");
const WRANGLER = join(ROOT, "node_modules", ".bin", "wrangler");
const ENV = { ...process.env, WRANGLER_SEND_METRICS: "false" };

export interface DevServerOptions {
  port?: number;
  /** Another wrangler configuration (e.g. the bench-only ceiling worker); the project's wrangler.toml by default. */
  config?: string;
  /** Extra vars, as `wrangler dev --var NAME:VALUE`. */
  vars?: Record<string, string>;
  /** Reuse this state directory (e.g. to restart on the data of a crashed server) instead of a fresh one. */
  stateDir?: string;
  /** Leave the state directory in place on stop(); by default stop() deletes it. */
  keepState?: boolean;
  /** Skip `wrangler d1 migrations apply` (harmless to repeat: it applies only the missing ones). */
  skipMigrations?: boolean;
  /** Another checkout of the project to serve (e.g. the code before a change, to compare); this one by default. */
  root?: string;
}

export interface DevServer {
  url: string;
  process: ChildProcess;
  stateDir: string;
  stop(): Promise<void>;
}

export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const port = options.port ?? 8790;
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), "ai-success-bench-"));
  const configArgs = options.config ? ["--config", options.config] : [];
  const root = options.root ?? ROOT;
  if (!options.skipMigrations) {
    execFileSync(WRANGLER, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", stateDir, ...configArgs], {
      cwd: root,
      env: ENV,
      stdio: "ignore",
    });
  }
  const varArgs = Object.entries(options.vars ?? {}).flatMap(([name, value]) => ["--var", `${name}:${value}`]);
  const logPath = join(stateDir, "wrangler.log");
  const log = openSync(logPath, "a");
  const child = spawn(
    WRANGLER,
    ["dev", "--port", String(port), "--ip", "127.0.0.1", "--persist-to", stateDir, ...configArgs, ...varArgs],
    { cwd: root, env: ENV, stdio: ["ignore", log, log], detached: true },
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      throw new Error(`wrangler dev did not become ready within 60 s:\n${readFileSync(logPath, "utf8").slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    url,
    process: child,
    stateDir,
    async stop() {
      if (child.exitCode === null && child.signalCode === null && child.pid) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        process.kill(-child.pid, "SIGTERM");
        await exited;
      }
      if (!options.keepState) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

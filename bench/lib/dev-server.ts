/**
 * Starts `wrangler dev` against a fresh local D1 in its own state directory, so a benchmark never touches the developer's
 * data, and stops it when done.
 */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const WRANGLER = join(import.meta.dirname, "..", "..", "node_modules", ".bin", "wrangler");
const ENV = { ...process.env, WRANGLER_SEND_METRICS: "false" };

export interface DevServer {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startDevServer(port = 8790): Promise<DevServer> {
  const stateDir = mkdtempSync(join(tmpdir(), "ai-success-bench-"));
  execFileSync(WRANGLER, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", stateDir], {
    env: ENV,
    stdio: "ignore",
  });
  const child = spawn(WRANGLER, ["dev", "--port", String(port), "--ip", "127.0.0.1", "--persist-to", stateDir], {
    env: ENV,
    stdio: ["ignore", "ignore", "inherit"],
    detached: true,
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error("wrangler dev did not become ready within 60 s");
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    url,
    process: child,
    async stop() {
      if (child.pid) process.kill(-child.pid, "SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

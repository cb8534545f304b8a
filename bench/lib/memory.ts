/**
 * Resident memory of the workerd process behind a `wrangler dev`, sampled from /proc (Linux). Local D1 lives in the
 * same process, so callers compare like with like (e.g. a re-upload that does not grow the database).
 */
import { readFileSync, readdirSync } from "node:fs";

function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // The parent pid is the 2nd field after the parenthesised command name.
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (parent === pid) children.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return children;
}

/** The workerd process among the descendants of `rootPid`. */
export function findWorkerd(rootPid: number): number {
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    for (const child of childrenOf(pid)) {
      if (readFileSync(`/proc/${child}/comm`, "utf8").trim() === "workerd") return child;
      queue.push(child);
    }
  }
  throw new Error(`no workerd process under pid ${rootPid}`);
}

export function residentBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return kib * 1024;
}

/** Samples resident memory every `intervalMs` while `task` runs; answers the task's result and the samples. */
export async function sampleWhile<T>(pid: number, task: () => Promise<T>, intervalMs = 20) {
  const before = residentBytes(pid);
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, residentBytes(pid));
  }, intervalMs);
  try {
    const result = await task();
    peak = Math.max(peak, residentBytes(pid));
    return { result, before, peak, growth: peak - before };
  } finally {
    clearInterval(timer);
  }
}

/** Descendants of a process we started, from /proc (no `ps` needed), and killing them by pid. */
import { readdirSync, readFileSync } from "node:fs";

function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // Field 4 (ppid) follows the parenthesised command name, which may contain spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // The process ended between readdir and read: not a child any more.
    }
  }
  return out;
}

/** Every descendant of `pid` (children, grandchildren, ...), parents first. */
export function descendants(pid: number): number[] {
  const pids: number[] = [];
  const queue = childPids(pid);
  while (queue.length > 0) {
    const next = queue.shift()!;
    pids.push(next);
    queue.push(...childPids(next));
  }
  return pids;
}

/** SIGKILLs the given pids; one that has already ended is not an error. Returns how many were signalled. */
export function killPids(pids: readonly number[]): number {
  let killed = 0;
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
      killed++;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
    }
  }
  return killed;
}

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time of processes from /proc (Linux), for the cluster benchmark's "where the time goes": the
 * difference of two samples taken around a slice of load is the CPU a process spent on that slice.
 * All threads of a process are counted (a Node process's libuv pool and GC threads included).
 */

/** Clock ticks per second of /proc's times (USER_HZ, 100 on every Linux we run on). */
const TICKS_PER_SECOND = ((): number => {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
})();

interface Stat {
  readonly ppid: number;
  /** utime + stime, in ticks. */
  readonly own: number;
  /** cutime + cstime: the CPU of children this process has waited for (exited children), in ticks. */
  readonly reaped: number;
}

/** /proc/<pid>/stat, or undefined when the process is gone. */
function stat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Field 2 (comm) is parenthesized and may hold spaces: split after its closing parenthesis. The rest
  // starts at field 3 (state), so field n is at index n - 3: ppid 4, utime 14, stime 15, cutime 16, cstime 17.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const n = (field: number): number => Number(f[field - 3] ?? 0);
  return { ppid: n(4), own: n(14) + n(15), reaped: n(16) + n(17) };
}

/** CPU seconds a process has used so far (utime + stime); 0 when it is gone. */
export function processCpuSeconds(pid: number): number {
  return (stat(pid)?.own ?? 0) / TICKS_PER_SECOND;
}

/**
 * CPU seconds a process and its direct children have used so far: its own, that of its living children,
 * and that of the children it has reaped (cutime/cstime), so a child that exits between two samples is not
 * lost. This is a PostgreSQL cluster's CPU when `pid` is the postmaster: every backend, the WAL writer, the
 * checkpointer and autovacuum are its children.
 */
export function treeCpuSeconds(pid: number): number {
  const parent = stat(pid);
  if (parent === undefined) return 0;
  let ticks = parent.own + parent.reaped;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const child = stat(Number(entry));
    if (child?.ppid === pid) ticks += child.own;
  }
  return ticks / TICKS_PER_SECOND;
}

/** CPU seconds this process (the load generator) has used so far, at microsecond resolution. */
export function ownCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/**
 * CPU seconds the whole machine has been busy so far, summed over its cores (/proc/stat: user, nice,
 * system, irq, softirq; not idle, iowait or steal). Minus the benchmark's own processes, this is what
 * everything else on the machine took during a slice: the noise a shared machine adds.
 */
export function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const [, user, nice, system, , , irq, softirq] = line.trim().split(/\s+/).map(Number);
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0)) / TICKS_PER_SECOND;
}

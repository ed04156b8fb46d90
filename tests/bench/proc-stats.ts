import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

/** What the bench reads of other processes, from /proc (Linux only; zeros elsewhere). */

const TICK_US = 1e6 / 100; // USER_HZ

/** User + system CPU time of a process, all its threads, in µs. */
export function processCpuUs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_US;
  } catch {
    return 0;
  }
}

/** CPU time of a process's main thread only (its JavaScript), in µs. */
export function mainThreadCpuUs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_US;
  } catch {
    return 0;
  }
}

export function rssBytes(pid: number): number {
  try {
    const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return Number(kb ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** The processes a process started (node:cluster workers of `confab --workers`). */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** "load 1.23 0.98 0.50": what else ran on this box, printed beside every figure taken. */
export function loadLine(): string {
  return `load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`;
}

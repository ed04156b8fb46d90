import { setFlagsFromString } from 'node:v8';

/**
 * Stops V8's young generation from growing under media load; returns the V8 flag set, or null
 * when the process was started with a semi-space flag of its own (that choice stands).
 *
 * node-datachannel hands every packet to JavaScript as a fresh Buffer: the relay allocates
 * thousands of short-lived objects a second, so V8 keeps doubling its semi-spaces (to 16 MB
 * each), and each dead packet's bytes stay in malloc until the scavenge that finds it. In the
 * 10-minute churn soak that was the relay's RSS growth: 90.8 → 113.2 MB (+25 %, in 3–9 MB
 * steps; new space 1 → 16 MB, V8 committed 11.5 → 26.5 MB, malloc heaps +9 MB) while the live
 * JS heap stayed at 8.6–8.8 MB. With growth stopped: 88.5 → 94.6 MB (+6.9 %), flat from
 * minute 4, for 17 % of a core instead of 15 % (more, smaller scavenges).
 * `--max-semi-space-size` counts only when the isolate is made; the growth factor is read at
 * every growth, so a factor of 1 keeps the new space at the size it has (1–2 MB here).
 *
 * Re-measured on Node 22.23 (`BENCH_SECTIONS=younggen npm run bench`; 50-person room, 3 runs
 * interleaved, load 2.4–5.9, then a 3-minute churn soak each): kept. CPU per forwarded packet
 * the same within the noise (24.5 / 29.9 / 21.3 µs with this setting; V8's default 26.4 / 27.9;
 * `--max-semi-space-size=64` 26.1 / 26.3), RSS of the 50-room 127 MB against 141 and 142, soak
 * RSS +2.1 % (new space 8 MB) against +9.8 % and +8.8 % (new space 16 MB, grown).
 */
export function freezeYoungGeneration(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? '',
): string | null {
  if ([...execArgv, ...nodeOptions.split(/\s+/)].some((a) => /^--(max-|min-)?semi[-_]space/.test(a))) return null;
  const flag = '--semi-space-growth-factor=1';
  setFlagsFromString(flag);
  return flag;
}

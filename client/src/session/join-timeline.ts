/**
 * Where a join's time goes: a User Timing mark (`confab:<phase>`) at each step from the click
 * on Join to holding a media key. Marks cost next to nothing; the big-room join bench
 * (tests/bench/big-room-join-bench.ts) reads them with performance.getEntriesByType('mark').
 */
export type JoinPhase =
  | 'join'
  | 'announced'
  | 'relay-chosen'
  | 'relay-connected'
  | 'media-key';

export function markJoin(phase: JoinPhase): void {
  performance.mark(`confab:${phase}`);
}

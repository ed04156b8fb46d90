/**
 * Where a join's time goes: a User Timing mark (`confab:<phase>`) at each step from the click
 * on Join to holding a media key. Marks cost next to nothing; the big-room join bench
 * (tests/bench/big-room-join-bench.ts) reads them with performance.getEntriesByType('mark').
 */
export type JoinPhase =
  | 'join'
  | 'announced'
  /** The first data channel with a peer is open. */
  | 'linked'
  | 'relay-chosen'
  | 'relay-connected'
  | 'media-key';

/** Marks the first time only: a later link or epoch is not part of the join. */
export function markJoin(phase: JoinPhase): void {
  const name = `confab:${phase}`;
  if (performance.getEntriesByName(name, 'mark').length === 0) performance.mark(name);
}

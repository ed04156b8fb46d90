import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LinkRecovery, RECOVERY_TIMINGS, type PeerReach, type RecoveryAction } from '../../../../client/src/mesh/link-recovery';

/** The recovery timetable, on a fake clock: what each side does, and when, after a drop. */
describe('LinkRecovery', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function recovery(impolite: boolean) {
    const log: string[] = [];
    const reaches: PeerReach[] = [];
    const start = Date.now();
    const r = new LinkRecovery({
      impolite,
      act: (action: RecoveryAction) => log.push(`${action}@${Date.now() - start}`),
      onReach: (reach) => reaches.push(reach),
    });
    return { r, log, reaches };
  }

  it('impolite side: ICE restart after 2 s disconnected, redial at 10 s and 20 s, drop at 30 s', () => {
    const { r, log, reaches } = recovery(true);
    r.onState('connected');
    vi.advanceTimersByTime(60_000);
    expect(log).toEqual([]);
    r.onState('disconnected');
    expect(reaches).toEqual(['connected', 'reconnecting']);
    vi.advanceTimersByTime(RECOVERY_TIMINGS.dropAfterMs);
    expect(log).toEqual(['restart-ice@62000', 'redial@70000', 'redial@80000', 'drop@90000']);
    vi.advanceTimersByTime(60_000);
    expect(log).toHaveLength(4);
  });

  it('polite side only waits, and drops at 30 s', () => {
    const { r, log } = recovery(false);
    r.onState('connected');
    r.onState('disconnected');
    r.onState('failed');
    vi.advanceTimersByTime(40_000);
    expect(log).toEqual(['drop@30000']);
  });

  it('coming back in time cancels everything; a later drop starts a fresh timetable', () => {
    const { r, log, reaches } = recovery(true);
    r.onState('connected');
    r.onState('disconnected');
    vi.advanceTimersByTime(1_000);
    r.onState('connected');
    vi.advanceTimersByTime(60_000);
    expect(log).toEqual([]);
    r.onState('disconnected');
    vi.advanceTimersByTime(2_000);
    expect(log).toEqual(['restart-ice@63000']);
    expect(reaches).toEqual(['connected', 'reconnecting', 'connected', 'reconnecting']);
  });

  it('failed restarts ICE at once on the impolite side; a redial that connects ends the trouble', () => {
    const { r, log } = recovery(true);
    r.onState('connected');
    r.onState('failed');
    expect(log).toEqual(['restart-ice@0']);
    vi.advanceTimersByTime(10_000);
    expect(log).toEqual(['restart-ice@0', 'restart-ice@2000', 'redial@10000']);
    r.onState('new');
    r.onState('connecting');
    r.onState('connected');
    vi.advanceTimersByTime(60_000);
    expect(log).toHaveLength(3);
    expect(r.state).toBe('connected');
  });

  it('never connected: unreachable once ICE fails, or after the connect timeout', () => {
    const a = recovery(false);
    a.r.onState('connecting');
    a.r.onState('failed');
    expect(a.reaches).toEqual(['unreachable']);
    const b = recovery(true);
    b.r.onState('connecting');
    vi.advanceTimersByTime(RECOVERY_TIMINGS.connectTimeoutMs - 1);
    expect(b.reaches).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(b.reaches).toEqual(['unreachable']);
    vi.advanceTimersByTime(RECOVERY_TIMINGS.redialAfterMs);
    expect(b.log.at(-1)).toBe(`redial@${RECOVERY_TIMINGS.connectTimeoutMs + RECOVERY_TIMINGS.redialAfterMs}`);
    // Its tile stays (saying why) well past the 30 s a lost peer gets, then it is dropped.
    vi.advanceTimersByTime(RECOVERY_TIMINGS.unreachableDropAfterMs - RECOVERY_TIMINGS.redialAfterMs - 1);
    expect(b.log).not.toContain('drop');
    expect(b.log.filter((a) => a.startsWith('drop'))).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(b.log.at(-1)).toBe(`drop@${RECOVERY_TIMINGS.connectTimeoutMs + RECOVERY_TIMINGS.unreachableDropAfterMs}`);
  });

  it('dispose stops every timer', () => {
    const { r, log } = recovery(true);
    r.onState('connected');
    r.onState('disconnected');
    r.dispose();
    vi.advanceTimersByTime(60_000);
    expect(log).toEqual([]);
  });
});

describe('LinkRecovery.redial', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('an early redial (the peer announced again) pushes the next scheduled one back', () => {
    const log: number[] = [];
    const start = Date.now();
    const r = new LinkRecovery({ impolite: true, act: (a) => a === 'redial' && log.push(Date.now() - start), onReach: () => {} });
    r.onState('connected');
    r.onState('disconnected');
    vi.advanceTimersByTime(6_000);
    r.redial();
    vi.advanceTimersByTime(1_000);
    r.redial(); // a second "peer is back" right after: the dial in progress is left alone
    vi.advanceTimersByTime(11_000);
    expect(log).toEqual([6_000, 16_000]);
  });

  it('does nothing on the polite side or when all is well', () => {
    const acts: string[] = [];
    const polite = new LinkRecovery({ impolite: false, act: (a) => acts.push(a), onReach: () => {} });
    polite.onState('connected');
    polite.onState('disconnected');
    polite.redial();
    const fine = new LinkRecovery({ impolite: true, act: (a) => acts.push(a), onReach: () => {} });
    fine.onState('connected');
    fine.redial();
    expect(acts).toEqual([]);
    polite.dispose();
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KeyMismatch, KEY_MISMATCH_TIMINGS, UNDECRYPTABLE_HINT } from '../../../../client/src/signaling/key-mismatch';
import { prng } from '../../../support/prng';

/** The wrong-secret hint: who sends it, how often, and when a newcomer believes it. */
describe('KeyMismatch', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function peer(seed = 1) {
    const sent: number[] = [];
    const suspicions: boolean[] = [];
    const start = Date.now();
    const km = new KeyMismatch({
      publishHint: () => sent.push(Date.now() - start),
      onSuspect: (s) => suspicions.push(s),
      random: prng(seed),
    });
    return { km, sent, suspicions };
  }

  it('the hint is a fixed string that carries nothing and never decodes as a sealed signal', () => {
    expect(UNDECRYPTABLE_HINT).toBe('confab:undecryptable:v1');
    expect(UNDECRYPTABLE_HINT).toMatch(/[^\w-]/); // not base64url: keys.open() can never accept it
  });

  it('a newcomer answered with a hint right after announcing suspects its link', () => {
    const { km, suspicions } = peer();
    km.announced();
    vi.advanceTimersByTime(800);
    km.hintReceived();
    expect(suspicions).toEqual([true]);
    km.hintReceived();
    expect(suspicions).toEqual([true]);
  });

  it('a readable signal clears the suspicion, and afterwards hints are ignored', () => {
    const { km, suspicions } = peer();
    km.announced();
    km.hintReceived();
    km.validSignal();
    km.hintReceived();
    expect(suspicions).toEqual([true, false]);
  });

  it('hints long after our own announce, or once we read the room, are not about us', () => {
    const late = peer();
    late.km.announced();
    vi.advanceTimersByTime(KEY_MISMATCH_TIMINGS.heedWindowMs + 1);
    late.km.hintReceived();
    expect(late.suspicions).toEqual([]);
    const settled = peer();
    settled.km.announced();
    settled.km.validSignal();
    settled.km.hintReceived();
    expect(settled.suspicions).toEqual([]);
  });

  it('a flood of undecryptable frames gets at most one hint per interval, after a random delay', () => {
    const { km, sent } = peer(7);
    for (let i = 0; i < 3_000; i++) {
      km.undecryptable();
      vi.advanceTimersByTime(10); // 100 garbage frames a second for 30 s
    }
    const perInterval = 30_000 / KEY_MISMATCH_TIMINGS.hintIntervalMs;
    expect(sent.length).toBeGreaterThanOrEqual(perInterval - 1);
    expect(sent.length).toBeLessThanOrEqual(perInterval);
    for (let i = 1; i < sent.length; i++) expect(sent[i]! - sent[i - 1]!).toBeGreaterThanOrEqual(KEY_MISMATCH_TIMINGS.hintIntervalMs);
    expect(sent[0]).toBeLessThan(KEY_MISMATCH_TIMINGS.hintJitterMs);
  });

  it('a peer that sees another peer hint first stays quiet (one answer per room, not one per peer)', () => {
    const quiet = peer(5);
    quiet.km.undecryptable();
    quiet.km.hintReceived();
    vi.advanceTimersByTime(KEY_MISMATCH_TIMINGS.hintJitterMs);
    expect(quiet.sent).toEqual([]);
  });

  it('dispose cancels a pending hint', () => {
    const { km, sent } = peer();
    km.undecryptable();
    km.dispose();
    vi.advanceTimersByTime(5_000);
    expect(sent).toEqual([]);
  });
});

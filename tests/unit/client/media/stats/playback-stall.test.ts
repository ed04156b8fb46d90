import { describe, expect, it } from 'vitest';
import { PlaybackStall, RESTART_GAP_MS, STALLED_AFTER_MS } from '../../../../../client/src/media/stats/playback-stall';

/** Feeds one sample a second; returns the seconds at which a restart was asked for. */
function run(samples: { t: number; paused?: boolean; live?: boolean }[]): number[] {
  const stall = new PlaybackStall();
  const restarts: number[] = [];
  samples.forEach((s, second) => {
    if (stall.sample({ currentTime: s.t, paused: s.paused ?? false, videoLive: s.live ?? true, nowMs: second * 1000 })) restarts.push(second);
  });
  return restarts;
}

describe('PlaybackStall', () => {
  it('never restarts a playing element', () => {
    expect(run(Array.from({ length: 30 }, (_, i) => ({ t: i })))).toEqual([]);
  });

  it('restarts an element whose time stopped while its video is live, after the stall bound', () => {
    const frozen = [{ t: 0 }, { t: 1 }, ...Array.from({ length: 6 }, () => ({ t: 2 }))];
    // Time last moved at second 2; the second 3 sample sees it stopped, STALLED_AFTER_MS on it restarts.
    expect(run(frozen)).toEqual([3 + STALLED_AFTER_MS / 1000]);
  });

  it('leaves alone a stream whose video is muted, ended or off (nothing to show)', () => {
    expect(run(Array.from({ length: 20 }, () => ({ t: 5, live: false })))).toEqual([]);
  });

  it('restarts a paused element even if its clock reads differently', () => {
    expect(run(Array.from({ length: 5 }, (_, i) => ({ t: i, paused: true })))).toEqual([STALLED_AFTER_MS / 1000]);
  });

  it('gives a restart time to take before the next one', () => {
    const restarts = run(Array.from({ length: 20 }, () => ({ t: 7 })));
    expect(restarts.length).toBeGreaterThan(1);
    for (let i = 1; i < restarts.length; i++) expect((restarts[i]! - restarts[i - 1]!) * 1000).toBeGreaterThanOrEqual(RESTART_GAP_MS);
  });

  it('counts the stall afresh once video comes back', () => {
    const samples = [...Array.from({ length: 3 }, () => ({ t: 1, live: false })), ...Array.from({ length: 3 }, () => ({ t: 1 }))];
    expect(run(samples)).toEqual([]);
  });
});

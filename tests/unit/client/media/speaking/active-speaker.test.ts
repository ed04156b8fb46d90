import { describe, expect, it } from 'vitest';
import { ActiveSpeaker } from '../../../../../client/src/media/speaking/active-speaker';
import { prng } from '../../../../support/prng';

const levels = (entries: Record<string, number>) => new Map(Object.entries(entries));

describe('active speaker', () => {
  it('nobody speaks below the floor; the loudest above it does', () => {
    const s = new ActiveSpeaker();
    expect(s.update(levels({ a: 0.01, b: 0.005 }), 0)).toBeNull();
    expect(s.update(levels({ a: 0.2, b: 0.05 }), 100)).toBe('a');
  });

  it('keeps the speaker through a short pause, lets go after the hold time', () => {
    const s = new ActiveSpeaker();
    s.update(levels({ a: 0.2 }), 0);
    expect(s.update(levels({ a: 0, b: 0 }), 1000)).toBe('a');
    expect(s.update(levels({ a: 0, b: 0 }), 1600)).toBeNull();
  });

  it('someone clearly louder takes over only after holding it for a moment', () => {
    const s = new ActiveSpeaker();
    s.update(levels({ a: 0.1, b: 0 }), 0);
    expect(s.update(levels({ a: 0.1, b: 0.3 }), 100)).toBe('a');
    expect(s.update(levels({ a: 0.1, b: 0.3 }), 300)).toBe('a');
    expect(s.update(levels({ a: 0.1, b: 0.3 }), 400)).toBe('b');
    // Merely a bit louder is not enough.
    expect(s.update(levels({ a: 0.35, b: 0.3 }), 500)).toBe('b');
    expect(s.update(levels({ a: 0.35, b: 0.3 }), 1500)).toBe('b');
  });

  it('a speaker who leaves the room loses the highlight at once', () => {
    const s = new ActiveSpeaker();
    s.update(levels({ a: 0.2, b: 0 }), 0);
    expect(s.update(levels({ b: 0 }), 100)).toBeNull();
  });

  it('two people talking over each other with noise: the highlight changes rarely (seeded)', () => {
    const random = prng(42);
    const s = new ActiveSpeaker();
    let switches = 0;
    let last: string | null = null;
    for (let t = 0; t < 60_000; t += 100) {
      const speaker = s.update(levels({ a: 0.1 + random() * 0.1, b: 0.1 + random() * 0.1, c: random() * 0.01 }), t);
      expect(speaker === 'a' || speaker === 'b').toBe(true);
      if (speaker !== last) switches++;
      last = speaker;
    }
    // Equal voices with noise never differ by 1.5× for 300 ms in a row often: a steady highlight.
    expect(switches).toBeLessThan(10);
  });
});

import { describe, expect, it } from 'vitest';
import { MediaKeyring, SWITCH_DELAY_MS, type MediaKey } from '../../../../../client/src/media/e2ee/media-keyring';

function keyring(zero = new Uint8Array(16).fill(7)) {
  const installed: { id: number; first: number; send: boolean }[] = [];
  const timers: (() => void)[] = [];
  const ring = new MediaKeyring(zero, {
    install: (id, raw, send) => installed.push({ id, first: raw[0]!, send }),
    setTimer: (fn, ms) => {
      expect(ms).toBe(SWITCH_DELAY_MS);
      timers.push(fn);
    },
  });
  return { ring, installed, runTimers: () => timers.splice(0).forEach((fn) => fn()) };
}
const key = (epoch: number, fill: number): MediaKey => ({ epoch, raw: new Uint8Array(16).fill(fill) });

describe('media keys', () => {
  it('starts on epoch 0 (from the room secret), sending with it at once', () => {
    const { ring, installed } = keyring();
    expect(ring.current.epoch).toBe(0);
    expect(installed).toEqual([{ id: 0, first: 7, send: true }]);
  });

  it('a rotation makes a random key for the next epoch: it opens frames at once, seals them a moment later', () => {
    const { ring, installed, runTimers } = keyring();
    const next = ring.rotate();
    expect(next.epoch).toBe(1);
    expect(next.raw).not.toEqual(new Uint8Array(16).fill(7));
    expect(installed.at(-1)).toMatchObject({ id: 1, send: false });
    runTimers();
    expect(installed.at(-1)).toMatchObject({ id: 1, send: true });
  });

  it('adopts newer epochs only; a replayed or older key changes nothing', () => {
    const { ring } = keyring();
    expect(ring.offer(key(2, 1))).toBe(true);
    expect(ring.offer(key(1, 0))).toBe(false);
    expect(ring.offer(key(2, 1))).toBe(false);
    expect(ring.current.epoch).toBe(2);
  });

  it('two keys for one epoch (two moderators at once): everyone settles on the smaller', () => {
    const a = keyring();
    const b = keyring();
    a.ring.offer(key(1, 9));
    b.ring.offer(key(1, 3));
    a.ring.offer(key(1, 3));
    b.ring.offer(key(1, 9));
    expect(a.ring.current.raw[0]).toBe(3);
    expect(b.ring.current.raw[0]).toBe(3);
  });

  it('a key superseded before its switch time is never used for sending', () => {
    const { ring, installed, runTimers } = keyring();
    ring.offer(key(1, 9));
    ring.offer(key(1, 3));
    runTimers();
    expect(installed.filter((i) => i.send).map((i) => i.first)).toEqual([7, 3]);
  });

  it('refuses malformed keys: wrong length, negative or fractional epoch', () => {
    const { ring } = keyring();
    expect(ring.offer({ epoch: 1, raw: new Uint8Array(5) })).toBe(false);
    expect(ring.offer(key(-1, 1))).toBe(false);
    expect(ring.offer(key(1.5, 1))).toBe(false);
  });
});

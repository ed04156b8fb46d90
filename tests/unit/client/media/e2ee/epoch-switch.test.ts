import { describe, expect, it } from 'vitest';
import { newSigningIdentity } from '../../../../../crdt/identity/host-identity';
import { decodeKeyMessage, encodeKeyMessage, heldNotice } from '../../../../../client/src/media/e2ee/media-key-message';
import { MediaKeyring, SWITCH_DELAY_MS, type Epoch } from '../../../../../client/src/media/e2ee/media-keyring';

const secret = new Uint8Array(32);
const epoch = (n: number, members: string[], by = 'host-key'): Epoch => ({ epoch: n, secret, members, by, rank: 0 });

/** One member's keyring, with a clock the test moves. */
function keyring() {
  const timers: { at: number; fn: () => void }[] = [];
  let now = 0;
  const sentUnder: number[] = [];
  const ring = new MediaKeyring({
    install: () => {},
    send: (n) => sentUnder.push(n),
    setTimer: (fn, ms) => void timers.push({ at: now + ms, fn }),
  });
  const advance = (ms: number) => {
    now += ms;
    for (const t of timers.filter((t) => t.at <= now)) {
      timers.splice(timers.indexOf(t), 1);
      t.fn();
    }
  };
  return { ring, sentUnder, advance };
}

describe('when a member starts sealing under a new epoch (media-keyring.ts)', () => {
  it('the committer waits for those who open its frames now, and switches the moment they all hold the new epoch', async () => {
    const { ring, sentUnder, advance } = keyring();
    ring.offer(epoch(1, ['a', 'b', 'c']), ['a']);
    advance(SWITCH_DELAY_MS);
    expect(sentUnder).toEqual([1]);
    // c leaves: a commits epoch 2 to a and b; b still opens a's frames under 1.
    ring.offer(epoch(2, ['a', 'b']), ['a']);
    expect(sentUnder, 'b does not hold it yet').toEqual([1]);
    advance(5);
    ring.held(2, 'host-key', 'b');
    expect(sentUnder, 'b holds it: no need to wait out the delay').toEqual([1, 2]);
  });

  it('a newcomer holds nobody back: it opens nothing of ours yet', async () => {
    const { ring, sentUnder, advance } = keyring();
    ring.offer(epoch(1, ['a', 'b']), ['a']);
    advance(SWITCH_DELAY_MS);
    ring.offer(epoch(2, ['a', 'b', 'newcomer']), ['a']);
    ring.held(2, 'host-key', 'b');
    expect(sentUnder).toEqual([1, 2]);
    // The newcomer itself (nobody's frames open for it yet) seals at once.
    const newcomer = keyring();
    newcomer.ring.offer(epoch(2, ['a', 'b', 'newcomer']), ['newcomer', 'a']);
    expect(newcomer.sentUnder).toEqual([2]);
  });

  it('a silent member holds the switch back at most SWITCH_DELAY_MS', async () => {
    const { ring, sentUnder, advance } = keyring();
    ring.offer(epoch(1, ['a', 'b', 'c']), ['a']);
    advance(SWITCH_DELAY_MS);
    ring.offer(epoch(2, ['a', 'b', 'c']), ['a']);
    ring.held(2, 'host-key', 'b');
    advance(SWITCH_DELAY_MS - 1);
    expect(sentUnder).toEqual([1]);
    advance(1);
    expect(sentUnder).toEqual([1, 2]);
  });

  it('a notice that overtakes its epoch still counts; one for another committer’s epoch of the same number does not', async () => {
    const { ring, sentUnder, advance } = keyring();
    ring.offer(epoch(1, ['a', 'b', 'c']), ['a']);
    advance(SWITCH_DELAY_MS);
    ring.held(2, 'host-key', 'b');
    ring.held(2, 'someone-else', 'c');
    ring.offer(epoch(2, ['a', 'b', 'c']), ['a']);
    expect(sentUnder, 'c said it holds another epoch 2').toEqual([1]);
    ring.held(2, 'host-key', 'c');
    expect(sentUnder).toEqual([1, 2]);
  });

  it('a held notice proves itself: one signed by another key than the member it names is refused', async () => {
    const bob = await newSigningIdentity();
    const eve = await newSigningIdentity();
    const real = await heldNotice(bob, 'room-under-test', 4, 'host-key');
    expect(await decodeKeyMessage(encodeKeyMessage(real), 'room-under-test')).toEqual(real);
    const forged = { ...(await heldNotice(eve, 'room-under-test', 4, 'host-key')), key: bob.publicKey };
    expect(await decodeKeyMessage(encodeKeyMessage(forged), 'room-under-test'), 'Eve speaking for Bob').toBeNull();
    expect(await decodeKeyMessage(encodeKeyMessage({ ...real, epoch: 5 }), 'room-under-test'), 'another epoch').toBeNull();
    expect(await decodeKeyMessage(encodeKeyMessage(real), 'another-room'), 'another room').toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { frameIv, openFrame, sealedCounter, sealedLabel, sealFrame } from '../../../../../client/src/media/e2ee/frame-crypto';
import { FORGET_AFTER_MS, SenderKeys } from '../../../../../client/src/media/e2ee/sender-keys';

const secret = () => crypto.getRandomValues(new Uint8Array(32));
const members = ['alice', 'bob', 'carol'];

/** Opens a frame as the transform worker does: trailer → sender, replay window, authenticated open. */
async function receive(keys: SenderKeys, sealed: Uint8Array): Promise<Uint8Array | null> {
  const label = sealedLabel(sealed);
  const sender = label && keys.opening(label.keyId, label.senderIndex);
  if (!sender || !sender.replays.fresh(sealedCounter(sealed))) return null;
  const plain = await openFrame(sender.key, sender, sealed, 1);
  return plain && sender.replays.accept(sealedCounter(sealed)) ? plain : null;
}

async function pair(epochSecret = secret(), epoch = 5) {
  const timers: (() => void)[] = [];
  const at = (id: string) => new SenderKeys(id, (fn, ms) => (ms === FORGET_AFTER_MS ? timers.push(fn) : fn()));
  const alice = at('alice');
  const bob = at('bob');
  for (const k of [alice, bob]) {
    await k.install({ epoch, secret: epochSecret, members });
    k.send(epoch);
  }
  let counter = 0;
  const seal = async (k: SenderKeys, body = new Uint8Array([9, 8, 7, 6])) => {
    const s = k.sealing()!;
    return sealFrame(s.key, s.label, body, 1, frameIv(new Uint8Array(4), ++counter));
  };
  return { alice, bob, seal, runTimers: () => timers.splice(0).forEach((f) => f()) };
}

describe('per-sender frame keys in the worker (sender-keys.ts)', () => {
  it('a frame opens as its sender’s, once', async () => {
    const { alice, bob, seal } = await pair();
    const frame = await seal(alice);
    expect(await receive(bob, frame)).toEqual(new Uint8Array([9, 8, 7, 6]));
  });

  it('attack 4: a frame relabelled as another sender does not open (a relay rewriting the sender index, or a member claiming another’s index)', async () => {
    const { alice, bob, seal } = await pair();
    const frame = await seal(alice);
    const relabelled = frame.slice();
    relabelled[relabelled.length - 2] = members.indexOf('carol');
    expect(await receive(bob, relabelled)).toBeNull();
    // Bob seals with his own key but names Alice as the sender.
    const own = bob.sealing()!;
    const posing = await sealFrame(own.key, { ...own.label, senderIndex: 0 }, new Uint8Array([1, 2]), 1, frameIv(new Uint8Array(4), 77));
    expect(await receive(alice, posing)).toBeNull();
    const renumbered = frame.slice();
    renumbered[renumbered.length - 1] = 6; // another key id (epoch)
    expect(await receive(bob, renumbered)).toBeNull();
  });

  it('attack 4: a replayed frame is refused, however late; frames a little out of order still open', async () => {
    const { alice, bob, seal } = await pair();
    const first = await seal(alice);
    const second = await seal(alice);
    const third = await seal(alice);
    expect(await receive(bob, first)).not.toBeNull();
    expect(await receive(bob, third)).not.toBeNull();
    expect(await receive(bob, second), 'out of order, first time').not.toBeNull();
    for (const f of [first, second, third]) expect(await receive(bob, f), 'replayed').toBeNull();
    for (let i = 0; i < 1100; i++) await seal(alice); // the window moves on
    expect(await receive(bob, await seal(alice))).not.toBeNull();
    expect(await receive(bob, first), 'replayed long after').toBeNull();
  });

  it('attack 4: old epochs are forgotten a short grace after the switch; frames under them then open to nothing', async () => {
    const s1 = secret();
    const { alice, bob, seal, runTimers } = await pair(s1, 5);
    const old = await seal(alice);
    const old2 = await seal(alice);
    for (const k of [alice, bob]) {
      await k.install({ epoch: 6, secret: secret(), members });
    }
    bob.send(6);
    expect(await receive(bob, old), 'within the grace, a late frame still opens').not.toBeNull();
    runTimers();
    expect(bob.epochs()).toEqual([6]);
    expect(await receive(bob, old2)).toBeNull();
  });
});

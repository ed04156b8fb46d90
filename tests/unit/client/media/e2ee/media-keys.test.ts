import { describe, expect, it } from 'vitest';
import { frameIv, openFrame, sealFrame, senderFrameKey } from '../../../../../client/src/media/e2ee/frame-crypto';
import { openEpoch, sealEpoch } from '../../../../../client/src/media/e2ee/epoch-boxes';
import { decodeKeyMessage, encodeKeyMessage, newKeyPackage, type EpochMessage } from '../../../../../client/src/media/e2ee/media-key-message';
import { MAX_EPOCH } from '../../../../../client/src/media/e2ee/media-keyring';
import { keyRoom, settle, type KeyMember } from '../../../../support/key-room';

const toBase64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const holders = (m: KeyMember) => [...m.keys.holders()].sort();
const ids = (...ms: KeyMember[]) => ms.map((m) => m.id).sort();
const current = (m: KeyMember) => m.keys.keyring.current;

/** A frame `m` sealed under its current epoch. */
async function frameFrom(m: KeyMember, body = new Uint8Array([1, 2, 3, 4, 5, 6])) {
  const e = current(m)!;
  const label = { epoch: e.epoch, keyId: e.epoch % 256, senderIndex: e.members.indexOf(m.id), senderId: m.id };
  return { label, sealed: await sealFrame(await senderFrameKey(e.secret, e.epoch, m.id), label, body, 1, frameIv(new Uint8Array(4), 1)) };
}

/** Whether someone holding `secret` for `epoch` opens a frame as sent by `senderId`. */
async function opens(secret: Uint8Array<ArrayBuffer>, epoch: number, senderId: string, sealed: Uint8Array): Promise<boolean> {
  return (await openFrame(await senderFrameKey(secret, epoch, senderId), { epoch, senderId }, sealed, 1)) !== null;
}

describe('membership-bound media keys (media-keys.ts)', () => {
  it('the host commits an epoch to exactly the visible, admitted members; a join, a leave and a lock each start a new one', async () => {
    const r = await keyRoom();
    const alice = await r.add('alice', { host: true });
    const bob = await r.add('bob');
    await r.meetAll();
    for (const m of [alice, bob]) expect(holders(m)).toEqual(ids(alice, bob));
    expect(bob.sendingUnder.at(-1)).toBe(current(alice)!.epoch);
    const e0 = current(alice)!.epoch;

    const carol = await r.add('carol');
    await r.meetAll();
    for (const m of [alice, bob, carol]) expect(holders(m)).toEqual(ids(alice, bob, carol));
    expect(current(carol)!.epoch).toBe(e0 + 1);

    carol.online = false;
    await r.meetAll();
    for (const m of [alice, bob]) expect(holders(m)).toEqual(ids(alice, bob));
    expect(current(bob)!.epoch).toBe(e0 + 2);

    // Locking admits those present (room-moderation.ts) in the same update.
    r.controls.admitted.add(bob.identity.publicKey);
    r.controls.locked = true;
    alice.keys.changed();
    await settle();
    expect(current(bob)!.epoch).toBe(e0 + 3);
    expect(current(carol)!.epoch, 'the one who left got nothing after').toBe(e0 + 1);
  });

  it('epochs drafted ahead (boxes sealed as packages arrive) never share a secret, and each opens for its members only', async () => {
    const r = await keyRoom();
    const alice = await r.add('alice', { host: true });
    const bob = await r.add('bob');
    await r.meetAll();
    for (const name of ['carol', 'dave', 'erin']) {
      await r.add(name);
      await r.meetAll();
    }
    const secrets = alice.installed.map((e) => toBase64(e.secret));
    expect(new Set(secrets).size, 'one secret per epoch').toBe(secrets.length);
    expect(alice.installed.map((e) => e.epoch)).toEqual([...alice.installed.keys()].map((i) => alice.installed[0]!.epoch + i));
    for (const e of bob.installed) expect(alice.installed.find((a) => a.epoch === e.epoch)?.secret).toEqual(e.secret);
  });

  it('a member who reloads (same participant key, a new key package) gets an epoch it can open', async () => {
    const r = await keyRoom();
    const alice = await r.add('alice', { host: true });
    const bob = await r.add('bob');
    await r.meetAll();
    const before = current(alice)!.epoch;
    r.reload(bob);
    await r.meetAll();
    expect(current(bob), 'the reloaded page holds the current epoch').not.toBeNull();
    expect(current(bob)!.epoch).toBe(current(alice)!.epoch);
    expect(current(alice)!.epoch, 'a new epoch: the old page’s package is not reused').toBeGreaterThan(before);
    expect(holders(alice)).toEqual(ids(alice, bob));
    const { sealed } = await frameFrom(bob);
    expect(await opens(current(alice)!.secret, current(alice)!.epoch, bob.id, sealed), 'alice opens what the reloaded page sends').toBe(true);
  });

  it('attack 3: anyone holding only the link derives no key that opens a frame; a relay reading every key message learns no epoch secret', async () => {
    const r = await keyRoom();
    const alice = await r.add('alice', { host: true });
    const bob = await r.add('bob');
    await r.meetAll();
    const { sealed } = await frameFrom(alice);
    const e = current(alice)!;
    // The link holder's best guesses: secrets from the link (the old epoch-0 HKDF), from the room id, zeros.
    const link = new TextEncoder().encode('a-room-secret-from-the-link-1234');
    const base = await crypto.subtle.importKey('raw', link, 'HKDF', false, ['deriveBits']);
    const fromLink = new Uint8Array(
      await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new TextEncoder().encode('room-under-test'), info: new TextEncoder().encode('confab/media/v1/epoch-0') }, base, 256),
    );
    for (const guess of [fromLink, new Uint8Array(32)]) expect(await opens(guess, e.epoch, alice.id, sealed)).toBe(false);
    // The relay saw every key message; with its own key package it opens no box in them.
    const relay = await newKeyPackage('room-under-test', bob.identity);
    for (const bytes of r.wire) {
      const m = await decodeKeyMessage(bytes, 'room-under-test');
      if (m?.t !== 'epoch') continue;
      for (const id of m.members) expect(await openEpoch(m, id, relay)).toBeNull();
    }
    expect(await opens(e.secret, e.epoch, alice.id, sealed), 'a member opens it').toBe(true);
  });

  it('attack 3: a knocker in a locked room, visible and with a key package, gets no epoch until admitted', async () => {
    const r = await keyRoom();
    const alice = await r.add('alice', { host: true });
    const bob = await r.add('bob');
    r.controls.admitted.add(bob.identity.publicKey);
    r.controls.locked = true;
    await r.meetAll();
    const knocker = await r.add('knocker');
    await r.meetAll();
    expect(holders(alice)).toEqual(ids(alice, bob));
    expect(current(knocker), 'the knocker holds no epoch').toBeNull();
    // The knocker, a member of nothing, commits its own epoch to the others: a locked room ignores it.
    await knocker.keys.receive(new Uint8Array()); // garbage is ignored too
    r.controls.admitted.add(knocker.identity.publicKey);
    alice.keys.changed();
    await settle();
    expect(holders(knocker)).toEqual(ids(alice, bob, knocker));
  });

  it('attack 4: a removed person who opens a new tab is not handed the current key: it gets only an epoch made after it joined', async () => {
    const r = await keyRoom();
    const alice = await r.add('alice', { host: true });
    const bob = await r.add('bob');
    const mallory = await r.add('mallory');
    await r.meetAll();
    r.controls.removed.add(mallory.identity.publicKey);
    mallory.online = false;
    await r.meetAll();
    expect(holders(alice)).toEqual(ids(alice, bob));
    const before = current(alice)!;
    const { sealed } = await frameFrom(alice);
    // The new tab: a fresh participant key, in a room that is not locked.
    const tab = await r.add('mallory-new-tab');
    await r.meetAll();
    const got = tab.installed.map((e) => e.epoch);
    expect(got.every((epoch) => epoch > before.epoch), `the new tab got epochs ${got}, never ${before.epoch}`).toBe(true);
    for (const e of tab.installed) expect(await opens(e.secret, before.epoch, alice.id, sealed)).toBe(false);
    expect(holders(alice), 'having joined, the new tab is in the list of key holders').toContain(tab.id);
  });

  it('attack 4: a forged epoch message is not adopted: a member signing in a locked room, a bad signature, a copy for another room', async () => {
    const r = await keyRoom();
    const alice = await r.add('alice', { host: true });
    const bob = await r.add('bob');
    const eve = await r.add('eve');
    r.controls.locked = true;
    for (const m of [bob, eve]) r.controls.admitted.add(m.identity.publicKey);
    await r.meetAll();
    const epoch = current(bob)!.epoch;
    const bobPkg = await newKeyPackage('room-under-test', bob.identity);
    // Bob's real package is in the room; Eve seals her own epoch to a package she made for Bob? She cannot: she has
    // only his public package. She seals to it and signs with her own key.
    const pkgs = new Map([[bob.id, (await decodeKeyMessage(encodeKeyMessage(bobPkg.pkg), 'room-under-test')) as never]]);
    const forged = await sealEpoch(eve.identity, 'room-under-test', epoch + 1, new Uint8Array(32).fill(6), pkgs);
    await bob.keys.receive(encodeKeyMessage(forged));
    const resigned: EpochMessage = { ...forged, by: alice.identity.publicKey };
    await bob.keys.receive(encodeKeyMessage(resigned));
    await bob.keys.receive(encodeKeyMessage({ ...forged, room: 'another-room' }));
    expect(current(bob)!.epoch).toBe(epoch);
    expect(current(bob)!.by).toBe(alice.identity.publicKey);
  });

  it('attack 4: an epoch of 2^53−1 (or MAX_EPOCH) is refused and later rotations still land', async () => {
    const r = await keyRoom();
    const alice = await r.add('alice', { host: true });
    const bob = await r.add('bob');
    const carol = await r.add('carol');
    await r.meetAll();
    // Carol is a member of an open room, so her epochs count: she tries to freeze rotation.
    const before = current(bob)!.epoch;
    for (const huge of [Number.MAX_SAFE_INTEGER, MAX_EPOCH, before + 2 ** 21]) {
      expect(bob.keys.keyring.supersedes({ epoch: huge, by: carol.identity.publicKey, rank: 2 })).toBe(false);
    }
    const dave = await r.add('dave');
    await r.meetAll();
    expect(current(bob)!.epoch).toBe(before + 1);
    expect(holders(bob)).toEqual(ids(alice, bob, carol, dave));
  });

  it('attack 4: a member who pre-seeds the next epoch number with its own secret does not steer the room: the host’s epoch of the same number wins', async () => {
    const r = await keyRoom();
    const alice = await r.add('alice', { host: true });
    const bob = await r.add('bob');
    const carol = await r.add('carol');
    await r.meetAll();
    const next = current(bob)!.epoch + 1;
    // Carol (member, open room) commits epoch `next` first, with a secret she chose (all zero bytes, the "smallest").
    expect(bob.keys.keyring.supersedes({ epoch: next, by: carol.identity.publicKey, rank: 2 })).toBe(true);
    bob.keys.keyring.offer({ epoch: next, secret: new Uint8Array(32), members: current(bob)!.members, by: carol.identity.publicKey, rank: 2 }, []);
    // The host's epoch of the same number replaces it, whatever its secret.
    expect(bob.keys.keyring.supersedes({ epoch: next, by: alice.identity.publicKey, rank: 0 })).toBe(true);
    // And once the host's is in, Carol's of the same number is refused.
    bob.keys.keyring.offer({ epoch: next, secret: new Uint8Array(32).fill(9), members: current(bob)!.members, by: alice.identity.publicKey, rank: 0 }, []);
    expect(bob.keys.keyring.supersedes({ epoch: next, by: carol.identity.publicKey, rank: 2 })).toBe(false);
    expect(current(bob)!.by).toBe(alice.identity.publicKey);
  });
});

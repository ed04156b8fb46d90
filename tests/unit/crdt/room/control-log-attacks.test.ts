import { describe, expect, it } from 'vitest';
import { MAX_SEQ_STEP, parseControl, recordRef, signControl, type ControlRecord } from '../../../../crdt/room/control-records';
import { newSigningIdentity, roomIdForHostKey } from '../../../../crdt/identity/host-identity';
import { RoomControls, type ControlLogStore } from '../../../../crdt/room/room-controls';
import { RoomGuard } from '../../../../relay/sfu/room-guard';
import { roomTopicFor } from '../../../../crdt/identity/room-topic';
import { SyncNet, syncedPeer } from '../../../support/synced-rooms';

async function hostedRoom() {
  const host = await newSigningIdentity();
  return { host, roomId: await roomIdForHostKey(host.publicKey) };
}

function memoryStore(): ControlLogStore & { records: unknown[] } {
  const store = {
    records: [] as unknown[],
    load: () => store.records,
    save: (records: readonly ControlRecord[]) => void (store.records = [...records]),
  };
  return store;
}

/** Host, an honest member and an attacker, each with a real room document, synced over DocSync. */
async function threePeople() {
  const { host, roomId } = await hostedRoom();
  const net = new SyncNet();
  const [h, b, m] = [syncedPeer('host'), syncedPeer('bob'), syncedPeer('mallory')];
  net.connect(h, b);
  net.connect(b, m);
  net.connect(h, m);
  const bobStore = memoryStore();
  const controls = { host: new RoomControls(roomId, h.room), bob: new RoomControls(roomId, b.room, bobStore) };
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      await net.quiesce();
      await Promise.all([controls.host.settled(), controls.bob.settled()]);
    }
  };
  return { host, roomId, net, h, b, m, controls, bobStore, settle };
}

describe('the control log holds against members', () => {
  it('attack 1: a member deleting the host\'s lock/remove records changes nothing', async () => {
    const { host, roomId, net, b, m, controls, bobStore, settle } = await threePeople();
    const victim = await newSigningIdentity();
    await controls.host.issue(host, [{ kind: 'lock' }, { kind: 'remove', target: victim.publicKey }]);
    await settle();
    expect(controls.bob.state.locked).toBe(true);
    expect(controls.bob.state.removed.has(victim.publicKey)).toBe(true);

    // The attack: a plain Yjs delete of every record, no key needed.
    const array = m.room.doc.getArray('controls');
    array.delete(0, array.length);
    await settle();

    for (const c of [controls.host, controls.bob]) {
      expect(c.state.locked).toBe(true);
      expect(c.state.removed.has(victim.publicKey)).toBe(true);
    }
    // Put back into every document, so a newcomer who syncs only with the attacker gets them too.
    expect(m.room.controlValues().length).toBeGreaterThanOrEqual(2);
    const newcomer = syncedPeer('newcomer');
    const newcomerControls = new RoomControls(roomId, newcomer.room);
    net.connect(m, newcomer);
    await settle();
    await net.quiesce();
    await newcomerControls.settled();
    expect(newcomerControls.state.locked).toBe(true);
    expect(newcomerControls.state.removed.has(victim.publicKey)).toBe(true);

    // A reload whose document took the delete: the page's own log still has them.
    const reloaded = syncedPeer('bob-reloaded');
    const reloadedControls = new RoomControls(roomId, reloaded.room, bobStore);
    await reloadedControls.settled();
    expect(reloadedControls.state.locked).toBe(true);
    expect(reloadedControls.state.removed.has(victim.publicKey)).toBe(true);
    expect(b.room.controlValues().length).toBeGreaterThanOrEqual(2);
  });

  it('attack 1 at the relay: the room guard keeps every genuine record it was offered', async () => {
    const { host, roomId } = await hostedRoom();
    const guard = new RoomGuard(await roomTopicFor(roomId), () => {});
    const lock = await signControl(host, { room: roomId, kind: 'lock', seq: 1 });
    await guard.offer([lock]);
    // A member offers the log without the lock (as a document it deleted it from would).
    await guard.offer([await signControl(host, { room: roomId, kind: 'admit', target: 'k', seq: 2 })]);
    expect(guard.state.locked).toBe(true);
  });

  it('attack 5: a co-host\'s record with seq 2^53−1 does not freeze the host', async () => {
    const { host, roomId, m, controls, settle } = await threePeople();
    const cohost = await newSigningIdentity();
    await controls.host.issue(host, [{ kind: 'cohost', target: cohost.publicKey }]);
    await settle();
    const frozen = await signControl(cohost, { room: roomId, kind: 'unlock', seq: Number.MAX_SAFE_INTEGER });
    m.room.addControls([frozen]);
    await settle();

    const [lock, revoke, end] = await controls.host.issue(host, [{ kind: 'lock' }, { kind: 'revoke-cohost', target: cohost.publicKey }, { kind: 'end' }]);
    for (const r of [lock!, revoke!, end!]) expect(parseControl(r)).not.toBeNull();
    await settle();
    for (const c of [controls.host, controls.bob]) {
      expect(c.state.locked).toBe(true);
      expect(c.state.cohosts.has(cohost.publicKey)).toBe(false);
      expect(c.state.ended).toBe(true);
      expect(c.applied().some((r) => r.sig === frozen.sig)).toBe(false);
    }
    // Even a chain of jumps, each within the step, leaves the host a parseable next seq.
    expect(lock!.seq).toBeLessThan(MAX_SEQ_STEP);
  });

  it('attack 5: a revoked co-host cannot backdate records to before its revocation', async () => {
    const { host, roomId, m, controls, settle } = await threePeople();
    const cohost = await newSigningIdentity();
    const mallory = await newSigningIdentity();
    await controls.host.issue(host, [{ kind: 'cohost', target: cohost.publicKey }]);
    await settle();
    // While a co-host, it locks the room: that decision stands after the revocation.
    const lock = await signControl(cohost, { room: roomId, kind: 'lock', seq: 2 });
    m.room.addControls([lock]);
    await settle();
    const [revoke] = await controls.host.issue(host, [{ kind: 'revoke-cohost', target: cohost.publicKey }]);
    expect(revoke!.keep).toEqual([await recordRef(lock)]);
    await settle();

    // The attack: records signed after the revocation with seqs that sort before it.
    const backdated = [
      await signControl(cohost, { room: roomId, kind: 'unlock', seq: 2 }),
      await signControl(cohost, { room: roomId, kind: 'admit', target: mallory.publicKey, seq: 1 }),
      await signControl(cohost, { room: roomId, kind: 'lock', seq: 0, at: 0 }),
    ];
    m.room.addControls(backdated);
    await settle();
    for (const c of [controls.host, controls.bob]) {
      expect(c.state.locked).toBe(true);
      expect(c.state.admitted.has(mallory.publicKey)).toBe(false);
      expect(c.applied().map((r) => r.sig)).toContain(lock.sig);
      for (const r of backdated) expect(c.applied().map((a) => a.sig)).not.toContain(r.sig);
    }

    // Removing a co-host pins its records the same way; and a co-host cannot remove another.
    const other = await newSigningIdentity();
    await controls.host.issue(host, [{ kind: 'cohost', target: other.publicKey }, { kind: 'cohost', target: cohost.publicKey }]);
    await settle();
    m.room.addControls([await signControl(cohost, { room: roomId, kind: 'remove', target: other.publicKey, seq: controls.bob.applied().at(-1)!.seq + 1 })]);
    await settle();
    expect(controls.bob.state.cohosts.has(other.publicKey)).toBe(true);
    expect(controls.bob.state.removed.has(other.publicKey)).toBe(false);
    const [remove] = await controls.host.issue(host, [{ kind: 'remove', target: cohost.publicKey }]);
    expect(remove!.keep).toBeDefined();
    m.room.addControls([await signControl(cohost, { room: roomId, kind: 'unlock', seq: remove!.seq - 1 })]);
    await settle();
    expect(controls.bob.state.locked).toBe(true);
  });
});

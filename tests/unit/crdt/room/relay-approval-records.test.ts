import { describe, expect, it } from 'vitest';
import { acceptableRecords, foldControls, parseControl, recordRef, recordsAbout, signControl } from '../../../../crdt/room/control-records';
import { newSigningIdentity, roomIdForHostKey } from '../../../../crdt/identity/host-identity';
import { RoomControls } from '../../../../crdt/room/room-controls';
import { relayIdFor } from '../../../../crdt/protocol/relay-presence';
import { roomTopicFor } from '../../../../crdt/identity/room-topic';
import { RoomGuard } from '../../../../relay/sfu/room-guard';
import { SyncNet, syncedPeer } from '../../../support/synced-rooms';

/** A locked room with a joined relay in it, and its host. */
async function lockedRoomWithRelay() {
  const host = await newSigningIdentity();
  const roomId = await roomIdForHostKey(host.publicKey);
  const lock = await signControl(host, { room: roomId, kind: 'lock', seq: 1 });
  const relayId = await relayIdFor('wss://relay.example/relay', 'a-relay-key');
  return { host, roomId, lock, relayId };
}

/** Host, an honest member and a member turned attacker, each with a real room document, synced. */
async function syncedRoom() {
  const { host, roomId, lock, relayId } = await lockedRoomWithRelay();
  const net = new SyncNet();
  const [h, b, m] = [syncedPeer('host'), syncedPeer('bob'), syncedPeer('mallory')];
  net.connect(h, b);
  net.connect(b, m);
  net.connect(h, m);
  const controls = { host: new RoomControls(roomId, h.room), bob: new RoomControls(roomId, b.room) };
  h.room.addControls([lock]);
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      await net.quiesce();
      await Promise.all([controls.host.settled(), controls.bob.settled()]);
    }
  };
  await settle();
  return { host, roomId, relayId, m, controls, settle };
}

describe('revoke-relay: taking a relay approval back', () => {
  it('approve → revoke → approve folds in seq order, whatever order the records arrive in', async () => {
    const { host, roomId, lock, relayId } = await lockedRoomWithRelay();
    const approve = await signControl(host, { room: roomId, kind: 'approve-relay', target: relayId, seq: 2 });
    const revoke = await signControl(host, { room: roomId, kind: 'revoke-relay', target: relayId, seq: 3 });
    const again = await signControl(host, { room: roomId, kind: 'approve-relay', target: relayId, seq: 4 });
    expect(parseControl(revoke)).toEqual(revoke);
    expect(parseControl({ ...revoke, target: null })).toBeNull();

    expect((await foldControls(roomId, [lock, approve])).state.approvedRelays).toEqual(new Set([relayId]));
    const revoked = await foldControls(roomId, [revoke, approve, lock]);
    expect(revoked.rejected).toEqual([]);
    expect(revoked.state.approvedRelays.size).toBe(0);
    expect(revoked.nextSeq).toBe(4);
    expect((await foldControls(roomId, [again, revoke, lock, approve])).state.approvedRelays).toEqual(new Set([relayId]));
    // A relay node's room guard keeps and folds the new kind like any other record.
    const guard = new RoomGuard(await roomTopicFor(roomId), () => {});
    expect(await guard.offer([lock, approve, revoke])).toEqual({ accepted: 3, forged: 0 });
    expect(guard.state.approvedRelays.size).toBe(0);
    // A revocation travels in an announce's proof with the approval it takes back.
    const proof = recordsAbout([lock, approve, revoke], 'newcomer-key');
    expect(proof).toContainEqual(approve);
    expect(proof).toContainEqual(revoke);
  });

  it('through the room document: the host’s revocation reaches every peer, and the host can approve again', async () => {
    const { host, relayId, controls, settle } = await syncedRoom();
    await controls.host.issue(host, [{ kind: 'approve-relay', target: relayId }]);
    await settle();
    expect(controls.bob.state.approvedRelays.has(relayId)).toBe(true);
    await controls.host.issue(host, [{ kind: 'revoke-relay', target: relayId }]);
    await settle();
    expect(controls.bob.state.approvedRelays.has(relayId)).toBe(false);
    await controls.host.issue(host, [{ kind: 'approve-relay', target: relayId }]);
    await settle();
    expect(controls.bob.state.approvedRelays.has(relayId)).toBe(true);
  });

  it('attack: a member’s own approve-relay or revoke-relay, in the document or in a proof, counts for nothing', async () => {
    const { host, roomId, relayId, m, controls, settle } = await syncedRoom();
    const mallory = await newSigningIdentity();
    const malloryRelay = await relayIdFor('wss://mallory.example/relay', 'mallory-relay-key');
    await controls.host.issue(host, [{ kind: 'approve-relay', target: relayId }]);
    await settle();
    const next = controls.bob.applied().at(-1)!.seq + 1;
    const forged = [
      await signControl(mallory, { room: roomId, kind: 'revoke-relay', target: relayId, seq: next }),
      await signControl(mallory, { room: roomId, kind: 'approve-relay', target: malloryRelay, seq: next }),
    ];
    m.room.addControls(forged);
    await settle();
    for (const c of [controls.host, controls.bob]) {
      expect(c.state.approvedRelays).toEqual(new Set([relayId]));
      for (const r of forged) expect(c.applied().map((a) => a.sig)).not.toContain(r.sig);
    }
    // Offered with an announce (its proof) instead: not accepted either.
    expect(await acceptableRecords(roomId, controls.bob.values(), forged)).toEqual([]);
    // Nor by a relay node's room guard, which folds with the same code.
    const guard = new RoomGuard(await roomTopicFor(roomId), () => {});
    await guard.offer(controls.bob.applied());
    expect(await guard.offer(forged)).toEqual({ accepted: 0, forged: 0 });
    expect(guard.state.approvedRelays).toEqual(new Set([relayId]));
  });

  it('a co-host approves and revokes; once its co-host role is revoked, its later approvals and revocations are void', async () => {
    const { host, roomId, lock, relayId } = await lockedRoomWithRelay();
    const cohost = await newSigningIdentity();
    const otherRelay = await relayIdFor('wss://other.example/relay', 'other-relay-key');
    const grant = await signControl(host, { room: roomId, kind: 'cohost', target: cohost.publicKey, seq: 2 });
    const approve = await signControl(cohost, { room: roomId, kind: 'approve-relay', target: relayId, seq: 3 });
    const approveOther = await signControl(cohost, { room: roomId, kind: 'approve-relay', target: otherRelay, seq: 4 });
    const revokeOther = await signControl(cohost, { room: roomId, kind: 'revoke-relay', target: otherRelay, seq: 5 });
    const standing = await Promise.all([approve, approveOther, revokeOther].map(recordRef));
    const demote = await signControl(host, { room: roomId, kind: 'revoke-cohost', target: cohost.publicKey, seq: 6, keep: standing });
    const before = await foldControls(roomId, [lock, grant, approve, approveOther, revokeOther, demote]);
    expect(before.rejected).toEqual([]);
    expect(before.state.approvedRelays).toEqual(new Set([relayId]));

    // After the revocation: a fresh approval, a revocation, and one backdated to sort before it.
    const late = [
      await signControl(cohost, { room: roomId, kind: 'approve-relay', target: otherRelay, seq: 7 }),
      await signControl(cohost, { room: roomId, kind: 'revoke-relay', target: relayId, seq: 7 }),
      await signControl(cohost, { room: roomId, kind: 'approve-relay', target: otherRelay, seq: 5, at: 0 }),
    ];
    const after = await foldControls(roomId, [lock, grant, approve, approveOther, revokeOther, demote, ...late]);
    expect(after.state.approvedRelays).toEqual(new Set([relayId]));
    expect(after.rejected.map((r) => r.reason)).toEqual(['revoked', 'not authorized', 'not authorized']);
  });
});

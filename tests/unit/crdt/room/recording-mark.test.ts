import { describe, expect, it } from 'vitest';
import { newSigningIdentity } from '../../../../crdt/identity/host-identity';
import { peerIdForKey } from '../../../../crdt/identity/participant-identity';
import { signParticipant, verifyParticipant } from '../../../../crdt/room/signed-entries';
import { SignedRoom } from '../../../../crdt/room/signed-room';
import { SyncNet, syncedPeer } from '../../../support/synced-rooms';

const ROOM = 'recording-room';

async function person(name: string) {
  const identity = await newSigningIdentity();
  const id = await peerIdForKey(identity.publicKey);
  const peer = syncedPeer(id);
  const view = new SignedRoom(peer.room, ROOM);
  view.signAs(identity, id);
  await view.join({ name, micOn: true, camOn: true });
  return { peer, identity, id, view };
}

describe('the Recording mark in the room state', () => {
  it('is announced to everyone with its start time, cleared on stop, and only its author can set it', async () => {
    const net = new SyncNet();
    const [alice, bob, mallory] = [await person('Alice'), await person('Bob'), await person('Mallory')];
    net.connect(alice.peer, bob.peer);
    net.connect(bob.peer, mallory.peer);
    const settle = async () => {
      for (let i = 0; i < 3; i++) {
        await net.quiesce();
        await Promise.all([alice, bob, mallory].map((p) => p.view.settled()));
      }
    };
    await settle();
    await alice.view.setRecording(true, 1_000);
    await settle();
    expect(bob.view.participant(alice.id)?.recordingSince).toBe(1_000);
    expect(mallory.view.participant(alice.id)?.recordingSince).toBe(1_000);
    // Starting again keeps the first start.
    await alice.view.setRecording(true, 2_000);
    await settle();
    expect(bob.view.participant(alice.id)?.recordingSince).toBe(1_000);

    await alice.view.setRecording(false);
    await settle();
    expect(bob.view.participant(alice.id)?.recordingSince).toBeUndefined();

    // Mallory cannot hide a recording or pin one on Bob: the flag is under the author's signature.
    const bobEntry = mallory.peer.room.participantValues().find(([id]) => id === bob.id)![1] as Record<string, unknown>;
    mallory.peer.room.putParticipant(bob.id, { ...bobEntry, recordingSince: 5 });
    await settle();
    expect(alice.view.participant(bob.id)?.recordingSince).toBeUndefined();
    expect(await verifyParticipant(ROOM, bob.id, { ...bobEntry, recordingSince: 5 })).toBeNull();
  });

  it('entries without the flag sign exactly as before it existed (older pages still verify them)', async () => {
    const identity = await newSigningIdentity();
    const id = await peerIdForKey(identity.publicKey);
    const plain = await signParticipant(identity, ROOM, { id, name: 'Ann', micOn: true, camOn: false, joinedAt: 1, rev: 1 });
    expect(await verifyParticipant(ROOM, id, plain)).not.toBeNull();
    // The same signature does not cover a recording entry.
    expect(await verifyParticipant(ROOM, id, { ...plain, recordingSince: 2 })).toBeNull();
    const recording = await signParticipant(identity, ROOM, { id, name: 'Ann', micOn: true, camOn: false, joinedAt: 1, rev: 2, recordingSince: 2 });
    expect((await verifyParticipant(ROOM, id, recording))?.recordingSince).toBe(2);
  });
});

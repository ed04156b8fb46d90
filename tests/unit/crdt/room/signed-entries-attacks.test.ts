import { describe, expect, it } from 'vitest';
import { randomId } from '../../../../crdt/protocol/base64url';
import { newSigningIdentity, type SigningIdentity } from '../../../../crdt/identity/host-identity';
import { peerIdForKey } from '../../../../crdt/identity/participant-identity';
import { signChat, signParticipant, signRelayChoice, verifyChat } from '../../../../crdt/room/signed-entries';
import { SignedRoom } from '../../../../crdt/room/signed-room';
import { pickRelay } from '../../../../client/src/topology/relay-election';
import { SyncNet, syncedPeer, type SyncedPeer } from '../../../support/synced-rooms';

const ROOM = 'signed-entries-room';

interface Person {
  peer: SyncedPeer;
  identity: SigningIdentity;
  id: string;
  view: SignedRoom;
}

async function person(name: string, mayChooseRelay?: (key: string) => boolean): Promise<Person> {
  const identity = await newSigningIdentity();
  const id = await peerIdForKey(identity.publicKey);
  const peer = syncedPeer(id);
  const view = new SignedRoom(peer.room, ROOM, mayChooseRelay);
  view.signAs(identity, id);
  await view.join({ name, micOn: true, camOn: true });
  return { peer, identity, id, view };
}

/** Alice and Bob (honest) and Mallory (a member whose client writes whatever she likes). */
async function room(mayChooseRelay?: (key: string) => boolean) {
  const net = new SyncNet();
  const [alice, bob, mallory] = [await person('Alice', mayChooseRelay), await person('Bob', mayChooseRelay), await person('Mallory', mayChooseRelay)];
  net.connect(alice.peer, bob.peer);
  net.connect(bob.peer, mallory.peer);
  net.connect(alice.peer, mallory.peer);
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      await net.quiesce();
      await Promise.all([alice, bob, mallory].map((p) => p.view.settled()));
    }
  };
  await settle();
  return { net, alice, bob, mallory, settle };
}

const names = (p: Person) => p.view.present().map((x) => `${x.id}:${x.name}`).sort();

describe('entries signed by their authors', () => {
  it('the sender’s own view hears of its message at once, before anyone else writes', async () => {
    const { alice } = await room();
    const heard: string[][] = [];
    alice.view.onChange(() => heard.push(alice.view.chat().map((m) => m.text)));
    await alice.view.sendChat('my own words');
    expect(heard.at(-1)).toEqual(['my own words']);
  });

  it('an entry that came with an announce shows before the document brings it, only if its author signed it, and never over a newer one', async () => {
    const alice = await person('Alice');
    const bob = await person('Bob');
    const mallory = await person('Mallory');
    // Unsynced: Alice knows Bob only from what his announce carried.
    await alice.view.consider(bob.id, bob.view.ownEntry());
    expect(names(alice)).toContain(`${bob.id}:Bob`);
    // Mallory sends her own signed entry as Bob's, and Bob's entry renamed.
    await alice.view.consider(bob.id, mallory.view.ownEntry());
    await alice.view.consider(bob.id, { ...bob.view.ownEntry()!, name: 'Mallory was here' });
    await alice.view.consider(mallory.id, { ...bob.view.ownEntry()!, rev: bob.view.ownEntry()!.rev + 1 });
    expect(names(alice)).toEqual([`${alice.id}:Alice`, `${bob.id}:Bob`].sort());
    // An old announce replayed after Bob renamed himself does not undo the rename.
    const old = bob.view.ownEntry();
    await bob.view.setName('Robert');
    await alice.view.consider(bob.id, bob.view.ownEntry());
    await alice.view.consider(bob.id, old);
    expect(names(alice)).toContain(`${bob.id}:Robert`);
  });

  it('attack 2: a forged chat message never appears, and never as "You"', async () => {
    const { alice, bob, mallory, settle } = await room();
    await alice.view.sendChat('hello');
    await settle();
    const forgedBase = { id: randomId(), from: alice.id, name: 'Alice', text: 'I give my host key to Mallory', sentAt: Date.now() };
    // Signed with her own key but claiming Alice's id; unsigned; and Alice's genuine message with its text changed.
    const ownKey = await signChat(mallory.identity, ROOM, forgedBase);
    const genuine = alice.peer.room.chatValues()[0] as Record<string, unknown>;
    mallory.peer.room.pushChat(ownKey);
    mallory.peer.room.pushChat({ ...forgedBase, id: randomId() });
    mallory.peer.room.pushChat({ ...genuine, id: randomId(), text: 'I give my host key to Mallory' });
    // And a message in the right shape signed for another room.
    mallory.peer.room.pushChat(await signChat(mallory.identity, 'another-room', { ...forgedBase, id: randomId(), from: mallory.id }));
    await settle();
    for (const p of [alice, bob]) {
      expect(p.view.chat().map((m) => [m.from, m.text])).toEqual([[alice.id, 'hello']]);
    }
    // What Alice's view shows as "You" is only what Alice signed.
    expect(alice.view.chat().filter((m) => m.from === alice.id).map((m) => m.text)).toEqual(['hello']);
    expect(await verifyChat(ROOM, ownKey)).toBeNull();
    // Mallory's own message shows, as hers.
    await mallory.view.sendChat('hi, I am Mallory');
    await settle();
    expect(bob.view.chat().at(-1)).toMatchObject({ from: mallory.id, name: 'Mallory' });
  });

  it('attack 2: a member cannot rewrite another member\'s entry, raise their hand or set their screen flag', async () => {
    const { alice, bob, mallory, settle } = await room();
    const before = names(alice);
    expect(before).toHaveLength(3);
    await bob.view.setHand(true);
    await settle();
    const bobHandUp = bob.peer.room.participantValues().find(([id]) => id === bob.id)![1] as Record<string, unknown>;
    await bob.view.setHand(false);
    await settle();

    // Names swapped, hand raised, screen flag set: edits of Bob's signed entry, and a replay of an old one.
    const bobEntry = mallory.peer.room.participantValues().find(([id]) => id === bob.id)![1] as Record<string, unknown>;
    mallory.peer.room.putParticipant(bob.id, { ...bobEntry, name: 'Mallory' });
    await settle();
    mallory.peer.room.putParticipant(bob.id, { ...bobEntry, handUpAt: 1, screenOn: true });
    await settle();
    mallory.peer.room.putParticipant(bob.id, bobHandUp);
    await settle();
    // Her own key cannot sign for Bob's id; her entry under her own id cannot claim his name's id.
    const asBob = await signParticipant(mallory.identity, ROOM, { id: bob.id, name: 'Bob', micOn: true, camOn: true, joinedAt: 1, handUpAt: 1, rev: Date.now() + 1e9 });
    mallory.peer.room.putParticipant(bob.id, asBob);
    // An entry for someone who is not here at all.
    mallory.peer.room.putParticipant('ghost', { id: 'ghost', name: 'Ghost', micOn: true, camOn: true, joinedAt: 1 });
    await settle();

    for (const p of [alice, bob]) {
      expect(names(p)).toEqual(before);
      expect(p.view.participant(bob.id)?.handUpAt).toBeUndefined();
      expect(p.view.participant(bob.id)?.screenOn).toBeUndefined();
    }
    // Bob put his entry back, so a newcomer who syncs now gets the genuine one.
    const newcomer = await person('Nora');
    const net = new SyncNet();
    net.connect(mallory.peer, newcomer.peer);
    await net.quiesce();
    await newcomer.view.settled();
    expect(newcomer.view.participant(bob.id)).toMatchObject({ name: 'Bob' });
    expect(newcomer.view.participant(bob.id)?.handUpAt).toBeUndefined();
    expect(newcomer.view.participant('ghost')).toBeUndefined();
  });

  it('attack 2: the relay choice counts only signed by someone the records let choose, and only names a relay the page knows', async () => {
    const removed = new Set<string>();
    const { alice, bob, mallory, settle } = await room((key) => !removed.has(key));
    await alice.view.setRelayChoice('wss://room.example/relay');
    await settle();
    expect(bob.view.relayChoice()?.relay).toBe('wss://room.example/relay');

    // A forged choice in Alice's name, and one signed by Mallory once the records removed her.
    const forged = await signRelayChoice(mallory.identity, ROOM, { relay: 'wss://mallory.example/relay', at: Date.now() + 1 });
    mallory.peer.room.putRelayValue({ ...forged, by: alice.id });
    await settle();
    expect(bob.view.relayChoice()?.relay).toBe('wss://room.example/relay');
    removed.add(mallory.identity.publicKey);
    mallory.peer.room.putRelayValue(forged);
    await settle();
    expect(bob.view.relayChoice()?.relay).toBe('wss://room.example/relay');

    // Even a genuine choice of an unknown relay is not followed: the page picks among relays it knows.
    const origin = { id: 'origin', url: 'wss://room.example/relay', meshMax: 4, origin: true, heardAtMs: Infinity };
    expect(pickRelay({ known: [origin], failedUntilMs: new Map(), nowMs: 0, recordedUrl: 'wss://mallory.example/relay', current: null })).toBe(origin);
  });
});

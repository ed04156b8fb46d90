import { prng } from '../support/prng';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { DocSync, MAX_SYNC_MESSAGE_BYTES } from '../../crdt/doc-sync';
import { RoomDoc } from '../../crdt/room-doc';

/** A peer: a room doc with its sync. Links deliver asynchronously, like a data channel. */
interface Peer {
  id: string;
  room: RoomDoc;
  sync: DocSync;
}

function peer(id: string): Peer {
  const room = new RoomDoc();
  return { id, room, sync: new DocSync(room.doc) };
}

let inFlight = 0;
function connect(a: Peer, b: Peer): void {
  const deliver = (to: Peer, from: Peer) => (bytes: Uint8Array) => {
    inFlight++;
    const copy = bytes.slice();
    setTimeout(() => {
      inFlight--;
      to.sync.receive(from.id, copy);
    }, 0);
  };
  a.sync.addChannel(b.id, { send: deliver(b, a) });
  b.sync.addChannel(a.id, { send: deliver(a, b) });
}

async function quiesce(): Promise<void> {
  do await new Promise((r) => setTimeout(r, 1));
  while (inFlight > 0);
}

const state = (p: Peer) => JSON.stringify({ people: p.room.participants(), chat: p.room.chat() });

describe('doc sync over channels (y-protocols, real Yjs)', () => {
  it('two peers converge, and a late joiner gets the whole chat history', async () => {
    const [a, b, late] = [peer('a'), peer('b'), peer('late')];
    connect(a, b);
    a.room.join({ id: 'a', name: 'Alice', micOn: true, camOn: true });
    for (let i = 0; i < 50; i++) a.room.sendChat('a', `message ${i}`);
    await quiesce();
    expect(state(b)).toBe(state(a));
    connect(late, b);
    await quiesce();
    expect(late.room.chat()).toHaveLength(50);
    expect(state(late)).toBe(state(a));
  });

  it('a line A–B–C converges through re-broadcast', async () => {
    const [a, b, c] = [peer('a'), peer('b'), peer('c')];
    connect(a, b);
    connect(b, c);
    a.room.join({ id: 'a', name: 'Alice', micOn: true, camOn: true });
    c.room.join({ id: 'c', name: 'Carol', micOn: false, camOn: true });
    a.room.sendChat('a', 'from the left');
    c.room.sendChat('c', 'from the right');
    await quiesce();
    expect(state(a)).toBe(state(c));
    expect(a.room.chat().map((m) => m.text).sort()).toEqual(['from the left', 'from the right']);
  });

  it('five peers on a random graph with concurrent edits converge (seeded)', async () => {
    for (const seed of [1, 2, 3]) {
      const rand = prng(seed);
      const peers = Array.from({ length: 5 }, (_, i) => peer(`p${i}`));
      // A random spanning tree keeps the graph connected; extra edges make cycles.
      for (let i = 1; i < peers.length; i++) connect(peers[i]!, peers[Math.floor(rand() * i)]!);
      for (let e = 0; e < 3; e++) {
        const [x, y] = [Math.floor(rand() * 5), Math.floor(rand() * 5)];
        if (x !== y && !peers[x]!.sync['channels'].has(`p${y}`)) connect(peers[x]!, peers[y]!);
      }
      for (let step = 0; step < 200; step++) {
        const p = peers[Math.floor(rand() * peers.length)]!;
        const r = rand();
        if (r < 0.2) p.room.join({ id: p.id, name: `name-${step}`, micOn: rand() < 0.5, camOn: true }, step);
        else if (r < 0.4) p.room.setMedia(p.id, { micOn: rand() < 0.5 });
        else if (p.room.participant(p.id)) p.room.sendChat(p.id, `s${seed} #${step}`, step);
        if (rand() < 0.3) await new Promise((resolve) => setTimeout(resolve, 0));
      }
      await quiesce();
      const expected = state(peers[0]!);
      for (const p of peers) expect(state(p), `seed ${seed}, ${p.id}`).toBe(expected);
    }
  });

  it('drops garbage, truncated and oversized messages and still syncs afterwards', async () => {
    const [a, b] = [peer('a'), peer('b')];
    connect(a, b);
    await quiesce();
    const rand = prng(42);
    const noise = Array.from({ length: 500 }, () =>
      Uint8Array.from({ length: 1 + Math.floor(rand() * 64) }, () => Math.floor(rand() * 256)),
    );
    const real = new Y.Doc();
    real.getArray('chat').push([{ id: 'x', from: 'x', name: 'X', text: 'real', sentAt: 1 }]);
    const update = Y.encodeStateAsUpdate(real);
    const truncated = Uint8Array.from([0, 2, ...update.slice(0, update.length >> 1)]);
    for (const bytes of [...noise, truncated, new Uint8Array(0), new Uint8Array(MAX_SYNC_MESSAGE_BYTES + 1)]) {
      expect(() => b.sync.receive('a', bytes)).not.toThrow();
    }
    expect(b.sync.receive('stranger', Uint8Array.of(0, 0, 0))).toBe(false);
    a.room.join({ id: 'a', name: 'Alice', micOn: true, camOn: true });
    a.room.sendChat('a', 'after the noise');
    await quiesce();
    expect(b.room.chat().map((m) => m.text)).toContain('after the noise');
  });
});

import * as encoding from 'lib0/encoding';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { MAX_PENDING_BYTES, MAX_SYNC_MESSAGE_BYTES, UNASKED_DOCUMENT_BYTES } from '../../../../crdt/room/doc-sync';
import { RoomDoc } from '../../../../crdt/room/room-doc';
import { join, peer, state, type Peer } from '../../../support/doc-peer';
import { prng } from '../../../support/prng';
import { SyncNet as Net } from '../../../support/synced-rooms';

function syncMessage(write: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 0);
  write(e);
  return encoding.toUint8Array(e);
}

let warn: MockInstance;
let error: MockInstance;
beforeEach(() => {
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  error = vi.spyOn(console, 'error').mockImplementation(() => {});
});
afterEach(() => vi.restoreAllMocks());

describe('doc sync over channels (y-protocols, real Yjs)', () => {
  it('two peers converge, and a late joiner gets the whole chat history', async () => {
    const net = new Net();
    const [a, b, late] = [peer('a'), peer('b'), peer('late')];
    net.connect(a, b);
    join(a, 'Alice');
    join(b, 'Bob');
    for (let i = 0; i < 50; i++) (i % 2 ? a : b).room.sendChat(i % 2 ? 'a' : 'b', `message ${i}`, i);
    await net.quiesce();
    expect(state(b)).toBe(state(a));
    net.connect(late, b);
    await net.quiesce();
    expect(late.room.chat()).toHaveLength(50);
    expect(state(late)).toBe(state(a));
  });

  it('edits made before connecting are exchanged by sync step 1/2 both ways', async () => {
    const net = new Net();
    const [a, b] = [peer('a'), peer('b')];
    join(a);
    join(b);
    a.room.sendChat('a', 'offline a');
    b.room.sendChat('b', 'offline b');
    net.connect(a, b);
    await net.quiesce();
    expect(a.room.chat().map((m) => m.text).sort()).toEqual(['offline a', 'offline b']);
    expect(state(a)).toBe(state(b));
  });

  it('a line A–B–C converges through re-broadcast', async () => {
    const net = new Net();
    const [a, b, c] = [peer('a'), peer('b'), peer('c')];
    net.connect(a, b);
    net.connect(b, c);
    join(a, 'Alice');
    join(c, 'Carol');
    a.room.sendChat('a', 'from the left');
    c.room.sendChat('c', 'from the right');
    await net.quiesce();
    expect(state(a)).toBe(state(c));
    expect(state(b)).toBe(state(a));
    expect(a.room.chat().map((m) => m.text).sort()).toEqual(['from the left', 'from the right']);
    expect(a.room.present().map((p) => p.id).sort()).toEqual(['a', 'c']);
  });

  it('five peers on a random graph with concurrent edits converge (seeded)', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const rand = prng(seed);
      const net = new Net();
      const peers = Array.from({ length: 5 }, (_, i) => peer(`p${i}`));
      const pick = () => peers[Math.floor(rand() * peers.length)]!;
      // A random spanning tree keeps the graph connected; extra edges make cycles.
      for (let i = 1; i < peers.length; i++) net.connect(peers[i]!, peers[Math.floor(rand() * i)]!);
      for (let e = 0; e < 3; e++) {
        const [x, y] = [pick(), pick()];
        if (x !== y && !net.linked(x, y)) net.connect(x, y);
      }
      for (let step = 0; step < 200; step++) {
        const p = pick();
        const r = rand();
        if (r < 0.15) p.room.join({ id: p.id, name: `name-${step}`, micOn: rand() < 0.5, camOn: true }, step);
        else if (r < 0.3) p.room.setMedia(p.id, { micOn: rand() < 0.5, camOn: rand() < 0.5 });
        else if (r < 0.35) p.room.setName(p.id, `renamed-${step}`);
        else if (r < 0.4) p.room.leave(p.id, step);
        else if (p.room.participant(p.id)) p.room.sendChat(p.id, `s${seed} #${step}`, step);
        if (rand() < 0.3) await new Promise((resolve) => setTimeout(resolve, 0));
      }
      await net.quiesce();
      const expected = state(peers[0]!);
      expect(peers[0]!.room.chat().length, `seed ${seed}`).toBeGreaterThan(50);
      for (const p of peers) expect(state(p), `seed ${seed}, ${p.id}`).toBe(expected);
    }
  });

  it('a channel that throws on send (closed) breaks neither local edits nor other channels', async () => {
    const net = new Net();
    const [a, b] = [peer('a'), peer('b')];
    net.connect(a, b);
    a.sync.addChannel('dead', {
      send() {
        throw new Error('InvalidStateError: data channel is closed');
      },
    });
    join(a);
    expect(() => a.room.sendChat('a', 'still goes out')).not.toThrow();
    await net.quiesce();
    expect(b.room.chat().map((m) => m.text)).toEqual(['still goes out']);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('a small document goes along with step 1 when a channel opens: the peer sees us before its own step 1 is answered; a big one waits to be asked', async () => {
    const small = peer('small');
    join(small);
    const seen = peer('seen');
    const got: Uint8Array[] = [];
    small.sync.addChannel('seen', { send: (bytes) => got.push(bytes) });
    seen.sync.addChannel('small', { send: () => {} }); // its step 1 is never answered
    for (const bytes of got) seen.sync.receive('small', bytes);
    expect(seen.room.participants().map((p) => p.id)).toEqual(['small']);

    const big = peer('big');
    join(big);
    for (let i = 0; i < 20; i++) big.room.sendChat('big', 'x'.repeat(1_000), i);
    expect(Y.encodeStateAsUpdate(big.room.doc).length).toBeGreaterThan(UNASKED_DOCUMENT_BYTES);
    const sent: Uint8Array[] = [];
    big.sync.addChannel('other', { send: (bytes) => sent.push(bytes) });
    expect(sent, 'only step 1').toHaveLength(1);
  });

  it('removeChannel stops sending to it', async () => {
    const sent: Uint8Array[] = [];
    const a = peer('a');
    a.sync.addChannel('x', { send: (bytes) => sent.push(bytes) });
    expect(sent).toHaveLength(2); // sync step 1 and the (small) document, at once
    join(a);
    expect(sent).toHaveLength(3);
    a.sync.removeChannel('x');
    a.room.sendChat('a', 'nobody hears');
    expect(sent).toHaveLength(3);
    expect(a.sync.receive('x', syncMessage((e) => syncProtocol.writeSyncStep1(e, new Y.Doc())))).toBe(false);
    a.sync.destroy();
  });
});

describe('doc sync under hostile input', () => {
  /** A real room's messages: sync step 1, sync step 2 and an update. */
  function realMessages(): Uint8Array[] {
    const src = new RoomDoc();
    src.join({ id: 'x', name: 'Xavier', micOn: true, camOn: false }, 1);
    for (let i = 0; i < 20; i++) src.sendChat('x', `real ${i}`, i);
    src.setMedia('x', { camOn: true });
    src.leave('x', 99);
    const update = Y.encodeStateAsUpdate(src.doc);
    return [
      syncMessage((e) => syncProtocol.writeSyncStep1(e, src.doc)),
      syncMessage((e) => syncProtocol.writeSyncStep2(e, src.doc, Y.encodeStateVector(new Y.Doc()))),
      syncMessage((e) => syncProtocol.writeUpdate(e, update)),
    ];
  }

  async function stillSyncs(net: Net, a: Peer, b: Peer, text: string): Promise<void> {
    join(a, 'Alice');
    a.room.sendChat('a', text);
    await net.quiesce();
    expect(b.room.chat().map((m) => m.text)).toContain(text);
    expect(state(a)).toBe(state(b));
  }

  it('drops garbage, truncated, oversized and foreign messages, and still syncs afterwards', async () => {
    const net = new Net();
    const [a, b] = [peer('a'), peer('b')];
    net.connect(a, b);
    await net.quiesce();
    b.sync.addChannel('evil', { send() {} });
    const rand = prng(42);
    for (let i = 0; i < 1000; i++) {
      const noise = Uint8Array.from({ length: 1 + Math.floor(rand() * 64) }, () => Math.floor(rand() * 256));
      expect(() => b.sync.receive('evil', noise)).not.toThrow();
    }
    const truncated = realMessages().flatMap((m) => Array.from({ length: m.length - 1 }, (_, n) => m.subarray(0, n + 1)));
    for (const bytes of truncated) expect(() => b.sync.receive('evil', bytes)).not.toThrow();
    expect(b.sync.receive('evil', new Uint8Array(0))).toBe(false);
    expect(b.sync.receive('evil', new Uint8Array(MAX_SYNC_MESSAGE_BYTES + 1))).toBe(false);
    expect(b.sync.receive('evil', Uint8Array.of(1, 0, 0))).toBe(false); // awareness: not yet
    expect(b.sync.receive('evil', Uint8Array.of(0, 9, 0))).toBe(false); // unknown sync type
    expect(b.sync.receive('evil', Uint8Array.of(0, 2, 5, 1, 2))).toBe(false); // length past the end
    expect(b.sync.receive('stranger', realMessages()[2]!)).toBe(false);
    expect(b.room.participants()).toEqual([]);
    // One warning for the evil channel, and y-protocols' per-message console.error never runs.
    expect(warn).toHaveBeenCalledTimes(1);
    expect(error).not.toHaveBeenCalled();
    await stillSyncs(net, a, b, 'after the noise');
  });

  it('survives seeded bit flips in real messages; whatever is accepted reads safely', async () => {
    const net = new Net();
    const [a, b] = [peer('a'), peer('b')];
    net.connect(a, b);
    await net.quiesce();
    const valid = realMessages();
    const rand = prng(7);
    let accepted = 0;
    for (let n = 0; n < 1500; n++) {
      // A fresh channel each time, so flips that Yjs accepts (a mangled but well-formed
      // update) land in b and get re-broadcast to a, exercising the read side too.
      const id = `evil${n}`;
      b.sync.addChannel(id, { send() {} });
      const bytes = valid[n % valid.length]!.slice();
      for (let f = 1 + Math.floor(rand() * 3); f > 0; f--) bytes[Math.floor(rand() * bytes.length)]! ^= 1 << Math.floor(rand() * 8);
      expect(() => (accepted += Number(b.sync.receive(id, bytes)))).not.toThrow();
      b.sync.removeChannel(id);
      expect(() => [b.room.participants(), b.room.present(), b.room.chat()]).not.toThrow();
    }
    expect(accepted).toBeGreaterThan(0);
    expect(error).not.toHaveBeenCalled();
    await stillSyncs(net, a, b, 'after the flips');
  });

  it('keeps updates waiting on missing data bounded: past the bound it drops them and asks every peer again', async () => {
    const net = new Net();
    const [a, b] = [peer('a'), peer('b')];
    net.connect(a, b);
    await net.quiesce();
    const toWatcher: Uint8Array[] = [];
    b.sync.addChannel('watcher', { send: (bytes) => toWatcher.push(bytes) });
    b.sync.addChannel('evil', { send() {} });
    const isStep1 = (m: Uint8Array) => m[0] === 0 && m[1] === syncProtocol.messageYjsSyncStep1;
    const step1sBefore = toWatcher.filter(isStep1).length;
    let sentBytes = 0;
    for (let i = 0; sentBytes < 3 * MAX_PENDING_BYTES; i++) {
      const doc = new Y.Doc();
      doc.getArray('chat').push(['never sent']);
      const sv = Y.encodeStateVector(doc);
      doc.getArray('chat').push(['w'.repeat(4_000)]);
      const update = syncMessage((e) => syncProtocol.writeUpdate(e, Y.encodeStateAsUpdate(doc, sv)));
      sentBytes += update.length;
      expect(b.sync.receive('evil', update)).toBe(true);
      const store = b.room.doc.store;
      expect((store.pendingStructs?.update.length ?? 0) + (store.pendingDs?.length ?? 0)).toBeLessThanOrEqual(MAX_PENDING_BYTES);
    }
    expect(toWatcher.filter(isStep1).length).toBeGreaterThan(step1sBefore);
    await stillSyncs(net, a, b, 'after the gaps');
  });

  it('answers a burst of sync requests, then one per interval', () => {
    const now = vi.spyOn(Date, 'now').mockReturnValue(1_000_000);
    const b = peer('b');
    const replies: Uint8Array[] = [];
    b.sync.addChannel('asker', { send: (bytes) => replies.push(bytes) });
    replies.length = 0;
    const ask = () => b.sync.receive('asker', syncMessage((e) => syncProtocol.writeSyncStep1(e, new Y.Doc())));
    const answered = Array.from({ length: 10 }, ask);
    expect(answered).toEqual([true, true, true, true, false, false, false, false, false, false]);
    now.mockReturnValue(1_005_000);
    expect([ask(), ask()]).toEqual([true, false]);
    expect(replies).toHaveLength(5);
  });
});

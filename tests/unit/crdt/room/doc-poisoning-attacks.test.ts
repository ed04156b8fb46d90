import { describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { MAX_SYNC_MESSAGE_BYTES, WRITE_BURST_BYTES } from '../../../../crdt/room/doc-sync';
import { newSigningIdentity, roomIdForHostKey } from '../../../../crdt/identity/host-identity';
import { peerIdForKey } from '../../../../crdt/identity/participant-identity';
import { RoomControls } from '../../../../crdt/room/room-controls';
import { SignedRoom } from '../../../../crdt/room/signed-room';
import { refusalOf } from '../../../../crdt/room/update-guard';
import { SyncNet, syncedPeer } from '../../../support/synced-rooms';

/** Every root type an update writes into, as far as the update itself says. */
const rootsIn = (update: Uint8Array): Set<string> =>
  new Set(Y.decodeUpdate(update).structs.flatMap((s) => (s instanceof Y.Item && typeof s.parent === 'string' ? [s.parent] : [])));

describe('a poisoned document', () => {
  it('attack 7: 9 MB in an unread root type reach no one; newcomers still get chat and control records; nothing poisoned is stored', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const host = await newSigningIdentity();
      const roomId = await roomIdForHostKey(host.publicKey);
      const net = new SyncNet();
      const [h, b, m] = [syncedPeer('host'), syncedPeer('bob'), syncedPeer('mallory')];
      net.connect(h, b);
      net.connect(b, m);
      net.connect(h, m);
      // What y-indexeddb would store: every update the honest documents emit.
      const stored: Uint8Array[] = [];
      b.room.doc.on('update', (u: Uint8Array) => stored.push(u));
      const controls = new RoomControls(roomId, h.room);
      const hostView = new SignedRoom(h.room, roomId);
      const self = await newSigningIdentity();
      hostView.signAs(self, await peerIdForKey(self.publicKey));
      await hostView.join({ name: 'Host', micOn: true, camOn: true });
      await controls.issue(host, [{ kind: 'lock' }]);
      await hostView.sendChat('welcome');
      await net.quiesce();

      // The attack: more than 8 MB into a root type nobody reads, then oversized and flooding values into chat.
      m.room.doc.getMap('poison').set('x', 'p'.repeat(9_000_000));
      m.room.doc.getArray('chat').push(['q'.repeat(100_000)]);
      for (let i = 0; i < 200; i++) m.room.doc.getArray('chat').push([{ junk: 'r'.repeat(15_000), i }]);
      await net.quiesce();

      for (const p of [h, b]) {
        expect(p.room.doc.share.has('poison')).toBe(false);
        expect(Y.encodeStateAsUpdate(p.room.doc).length).toBeLessThan(WRITE_BURST_BYTES + 200_000);
      }
      for (const u of stored) expect(rootsIn(u).has('poison')).toBe(false);
      expect(stored.reduce((n, u) => n + u.length, 0)).toBeLessThan(WRITE_BURST_BYTES + 200_000);

      // A newcomer linked to the attacker first, then to Bob.
      const newcomer = syncedPeer('newcomer');
      const newcomerControls = new RoomControls(roomId, newcomer.room);
      const newcomerView = new SignedRoom(newcomer.room, roomId);
      net.connect(m, newcomer);
      net.connect(b, newcomer);
      await net.quiesce();
      await newcomerControls.settled();
      await newcomerView.settled();
      expect(newcomerControls.state.locked).toBe(true);
      expect(newcomerView.chat().map((c) => c.text)).toEqual(['welcome']);
      expect(newcomer.room.doc.share.has('poison')).toBe(false);
      expect(Y.encodeStateAsUpdate(newcomer.room.doc).length).toBeLessThan(MAX_SYNC_MESSAGE_BYTES);
    } finally {
      warn.mockRestore();
    }
  });

  it('the schema refuses nested types, text, unknown keys and oversized values, and lets the room\'s own writes through', () => {
    const base = new Y.Doc();
    const attempt = (write: (doc: Y.Doc) => void): string | null => {
      const doc = new Y.Doc();
      Y.applyUpdate(doc, Y.encodeStateAsUpdate(base));
      const updates: Uint8Array[] = [];
      doc.on('update', (u: Uint8Array) => updates.push(u));
      write(doc);
      return refusalOf(base, Y.mergeUpdates(updates));
    };
    base.getArray('chat').push([{ id: 'a' }]);
    base.getMap('participants').set('p', { name: 'P' });
    expect(attempt((d) => d.getArray('chat').push([{ id: 'b' }]))).toBeNull();
    expect(attempt((d) => d.getMap('participants').set('p', { name: 'P2' }))).toBeNull();
    expect(attempt((d) => d.getMap('topology').set('relay', null))).toBeNull();
    expect(attempt((d) => d.getArray('chat').delete(0, 1))).toBeNull();
    expect(attempt((d) => d.getMap('topology').set('other', 1))).toMatch(/key/);
    expect(attempt((d) => d.getArray('chat').push([new Y.Map()]))).toMatch(/ContentType/);
    expect(attempt((d) => d.getText('chat-text').insert(0, 'x'))).toMatch(/ContentString/);
    expect(attempt((d) => d.getArray('controls').push([{ big: 'x'.repeat(20_000) }]))).toMatch(/size/);
    expect(attempt((d) => d.getArray('mystery').push([1]))).toMatch(/root type/);
    expect(refusalOf(base, new Uint8Array([1, 2, 3, 4, 250]))).not.toBeNull();
  });
});

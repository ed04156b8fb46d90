import { describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { acceptableRecords, exclusionOf, foldControls, mayModerate, recordsAbout, signControl } from '../../../../crdt/room/control-records';
import { newSigningIdentity, roomIdForHostKey } from '../../../../crdt/identity/host-identity';
import { RoomControls } from '../../../../crdt/room/room-controls';
import { RoomDoc } from '../../../../crdt/room/room-doc';

async function hostedRoom() {
  const host = await newSigningIdentity();
  return { host, roomId: await roomIdForHostKey(host.publicKey) };
}

/** Two peers' documents, wired so every update reaches the other (as DocSync does). */
function linkedDocs(): [RoomDoc, RoomDoc] {
  const a = new Y.Doc();
  const b = new Y.Doc();
  a.on('update', (u: Uint8Array, origin: unknown) => origin !== b && Y.applyUpdate(b, u, a));
  b.on('update', (u: Uint8Array, origin: unknown) => origin !== a && Y.applyUpdate(a, u, b));
  return [new RoomDoc(a), new RoomDoc(b)];
}

describe('host devices, exclusion and records carried in signals', () => {
  it('a host-session record makes a participant key the host: it moderates and is never locked out or removed', async () => {
    const { host, roomId } = await hostedRoom();
    const device = await newSigningIdentity();
    const cohost = await newSigningIdentity();
    const records = [
      await signControl(host, { room: roomId, kind: 'host-session', target: device.publicKey, seq: 1 }),
      await signControl(host, { room: roomId, kind: 'cohost', target: cohost.publicKey, seq: 2 }),
      await signControl(host, { room: roomId, kind: 'lock', seq: 3 }),
      // A co-host may remove guests, but neither it nor anyone else removes a host device.
      await signControl(cohost, { room: roomId, kind: 'remove', target: device.publicKey, seq: 4 }),
      await signControl(cohost, { room: roomId, kind: 'host-session', target: cohost.publicKey, seq: 5 }),
      await signControl(device, { room: roomId, kind: 'host-session', target: device.publicKey, seq: 6 }),
    ];
    const { state, rejected } = await foldControls(roomId, records);
    expect([...state.hostSessions]).toEqual([device.publicKey]);
    expect(rejected.map((r) => r.reason)).toEqual(['not authorized', 'not authorized', 'not authorized']);
    expect(mayModerate(state, device.publicKey)).toBe(true);
    expect(mayModerate(state, cohost.publicKey)).toBe(true);
    expect(exclusionOf(state, device.publicKey)).toBeNull();
    expect(exclusionOf(state, 'stranger')).toBe('locked');
  });

  it('exclusion says why: ended, then removed, then denied or locked', async () => {
    const { host, roomId } = await hostedRoom();
    const sign = (kind: 'lock' | 'deny' | 'remove' | 'end' | 'admit', seq: number, target?: string) =>
      signControl(host, { room: roomId, kind, seq, ...(target ? { target } : {}) });
    const base = [await sign('lock', 1), await sign('deny', 2, 'denied'), await sign('remove', 3, 'removed'), await sign('admit', 4, 'guest')];
    const { state } = await foldControls(roomId, base);
    expect(['denied', 'removed', 'guest', 'stranger'].map((k) => exclusionOf(state, k))).toEqual(['denied', 'removed', null, 'locked']);
    const ended = (await foldControls(roomId, [...base, await sign('end', 5)])).state;
    expect(exclusionOf(ended, 'guest')).toBe('ended');
  });

  it('recordsAbout gives a newcomer what it needs to check a decision, and nothing about others', async () => {
    const { host, roomId } = await hostedRoom();
    const lock = await signControl(host, { room: roomId, kind: 'lock', seq: 1 });
    const admitOther = await signControl(host, { room: roomId, kind: 'admit', target: 'other', seq: 2 });
    const admitMe = await signControl(host, { room: roomId, kind: 'admit', target: 'me', seq: 3 });
    const about = recordsAbout([lock, admitOther, admitMe, { ...admitMe }, 'junk', null], 'me');
    expect(about).toEqual([lock, admitMe]);
    const many = [];
    for (let seq = 1; seq <= 120; seq++) many.push(await signControl(host, { room: roomId, kind: seq % 2 ? 'lock' : 'unlock', seq }));
    expect(recordsAbout(many, 'me').length).toBeLessThanOrEqual(50);
    expect((await foldControls(roomId, recordsAbout(many, 'me'))).state.locked).toBe(false);
  });

  it('acceptableRecords keeps genuine new records once, and drops forged or already known ones', async () => {
    const { host, roomId } = await hostedRoom();
    const mallory = await newSigningIdentity();
    const lock = await signControl(host, { room: roomId, kind: 'lock', seq: 1 });
    const admit = await signControl(host, { room: roomId, kind: 'admit', target: 'me', seq: 2 });
    const forged = await signControl(mallory, { room: roomId, kind: 'admit', target: 'mallory', seq: 3 });
    expect(await acceptableRecords(roomId, [lock], [admit, admit, forged, lock, { ...admit, seq: 9 }, 'x'])).toEqual([admit]);
    expect(await acceptableRecords(roomId, [], 'not a list')).toEqual([]);
    expect(await acceptableRecords(roomId, [], new Array(1000).fill(admit))).toEqual([admit]);
  });
});

describe('RoomControls on real, synced Yjs documents', () => {
  it('the host issues records on one peer; the other folds the same state; forgeries written into the doc change nothing', async () => {
    const { host, roomId } = await hostedRoom();
    const [docA, docB] = linkedDocs();
    const a = new RoomControls(roomId, docA);
    const b = new RoomControls(roomId, docB);
    const mallory = await newSigningIdentity();
    await a.issue(host, [{ kind: 'lock' }, { kind: 'admit', target: mallory.publicKey }]);
    await b.settled();
    expect(b.state.locked).toBe(true);
    expect(b.state.admitted.has(mallory.publicKey)).toBe(true);

    const seen: boolean[] = [];
    a.onChange((s) => seen.push(s.locked));
    docB.doc.getArray('controls').push([
      await signControl(mallory, { room: roomId, kind: 'unlock', seq: 50 }),
      await signControl(mallory, { room: roomId, kind: 'end', seq: 51 }),
      { junk: true },
    ]);
    await a.settled();
    expect(seen.length).toBeGreaterThan(0);
    expect(a.state.locked).toBe(true);
    expect(a.state.ended).toBe(false);

    // The host's next record comes after everything it has seen, forged seqs included.
    await a.issue(host, [{ kind: 'unlock' }]);
    await b.settled();
    expect(b.state.locked).toBe(false);
  });

  it('a flood of records ahead of the host\'s next one does not hide it, nor lend its future seq to the host', async () => {
    const { host, roomId } = await hostedRoom();
    const [docA, docB] = linkedDocs();
    const a = new RoomControls(roomId, docA);
    const b = new RoomControls(roomId, docB);
    const mallory = await newSigningIdentity();
    const future = await signControl(mallory, { room: roomId, kind: 'unlock', seq: Number.MAX_SAFE_INTEGER });
    docB.doc.getArray('controls').push([future, ...Array.from({ length: 6000 }, (_, i) => ({ ...future, seq: i, sig: `x${i}` }))]);
    await a.settled();
    await a.issue(host, [{ kind: 'lock' }]);
    await b.settled();
    expect(b.state.locked).toBe(true);
    expect(a.state.locked).toBe(true);
  });

  it('a throwing listener does not stop later folds; rejections are logged a few times, not once per record', async () => {
    const { host, roomId } = await hostedRoom();
    const [docA] = linkedDocs();
    const a = new RoomControls(roomId, docA);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      a.onChange(() => {
        throw new Error('a broken view');
      });
      docA.doc.getArray('controls').push(Array.from({ length: 200 }, (_, i) => ({ junk: i })));
      await a.settled();
      await a.issue(host, [{ kind: 'lock' }]);
      expect(a.state.locked).toBe(true);
      expect(warn.mock.calls.length).toBeLessThan(20);
    } finally {
      warn.mockRestore();
    }
  });

  it('records kept from a signal are folded but never written to the shared document', async () => {
    const { host, roomId } = await hostedRoom();
    const [docA, docB] = linkedDocs();
    const a = new RoomControls(roomId, docA);
    const b = new RoomControls(roomId, docB);
    await a.keep([await signControl(host, { room: roomId, kind: 'lock', seq: 1 })]);
    expect(a.state.locked).toBe(true);
    expect(docA.controlValues()).toEqual([]);
    await b.settled();
    expect(b.state.locked).toBe(false);
  });
});

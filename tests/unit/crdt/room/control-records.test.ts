import { describe, expect, it } from 'vitest';
import { foldControls, mayParticipate, parseControl, signControl, type ControlRecord } from '../../../../crdt/room/control-records';
import { exportHostKey, importHostKey, newSigningIdentity, roomIdForHostKey, type SigningIdentity } from '../../../../crdt/identity/host-identity';

async function hostedRoom(): Promise<{ host: SigningIdentity; roomId: string }> {
  const host = await newSigningIdentity();
  return { host, roomId: await roomIdForHostKey(host.publicKey) };
}

describe('host identity (real WebCrypto, ECDSA P-256)', () => {
  it('the room id is derived from the host key and is link-shaped', async () => {
    const { host, roomId } = await hostedRoom();
    expect(roomId).toMatch(/^[\w-]{22}$/);
    expect(await roomIdForHostKey(host.publicKey)).toBe(roomId);
    expect(await roomIdForHostKey((await newSigningIdentity()).publicKey)).not.toBe(roomId);
  });

  it('a host key survives the host link round trip and still signs as host', async () => {
    const { host, roomId } = await hostedRoom();
    const restored = (await importHostKey(await exportHostKey(host)))!;
    expect(restored.publicKey).toBe(host.publicKey);
    const record = await signControl(restored, { room: roomId, kind: 'lock', seq: 1 });
    expect((await foldControls(roomId, [record])).state.locked).toBe(true);
  });

  it('garbage host keys import as null', async () => {
    for (const bad of ['', 'abc', 'A'.repeat(130), '!!!', 'A'.repeat(10_000)]) expect(await importHostKey(bad)).toBeNull();
  });
});

describe('control records', () => {
  it('the host locks, admits, removes and ends; every peer folds the same state', async () => {
    const { host, roomId } = await hostedRoom();
    const records = [
      await signControl(host, { room: roomId, kind: 'lock', seq: 1 }),
      await signControl(host, { room: roomId, kind: 'admit', target: 'guest-key', seq: 2 }),
      await signControl(host, { room: roomId, kind: 'remove', target: 'rude-key', seq: 3 }),
    ];
    const { state, rejected, nextSeq } = await foldControls(roomId, records);
    expect(rejected).toEqual([]);
    expect(state).toMatchObject({ hostKey: host.publicKey, locked: true, ended: false });
    expect(mayParticipate(state, 'guest-key')).toBe(true);
    expect(mayParticipate(state, 'stranger-key')).toBe(false);
    expect(mayParticipate(state, 'rude-key')).toBe(false);
    expect(mayParticipate(state, host.publicKey)).toBe(true);
    expect(nextSeq).toBe(4);
    // Arrival order does not matter.
    expect((await foldControls(roomId, [...records].reverse())).state).toEqual(state);
    const ended = await foldControls(roomId, [...records, await signControl(host, { room: roomId, kind: 'end', seq: 4 })]);
    expect(mayParticipate(ended.state, 'guest-key')).toBe(false);
  });

  it('later records win: lock then unlock is unlocked, whatever order they arrive in', async () => {
    const { host, roomId } = await hostedRoom();
    const lock = await signControl(host, { room: roomId, kind: 'lock', seq: 1 });
    const unlock = await signControl(host, { room: roomId, kind: 'unlock', seq: 2 });
    const relock = await signControl(host, { room: roomId, kind: 'lock', seq: 3 });
    expect((await foldControls(roomId, [unlock, lock])).state.locked).toBe(false);
    // Replaying the old unlock (the same signed record again) changes nothing.
    const replayed = await foldControls(roomId, [lock, unlock, relock, { ...unlock }]);
    expect(replayed.state.locked).toBe(true);
    expect(replayed.rejected.map((r) => r.reason)).toEqual(['duplicate']);
  });

  it('forged, tampered, foreign and unauthorized records are ignored, never thrown', async () => {
    const { host, roomId } = await hostedRoom();
    const mallory = await newSigningIdentity();
    const lock = await signControl(host, { room: roomId, kind: 'lock', seq: 1 });
    const other = await hostedRoom();
    const attacks: [string, unknown][] = [
      ['unlock signed by a stranger', await signControl(mallory, { room: roomId, kind: 'unlock', seq: 99 })],
      ['stranger claims host (end)', await signControl(mallory, { room: roomId, kind: 'end', seq: 99 })],
      ['stranger removes the host', await signControl(mallory, { room: roomId, kind: 'remove', target: host.publicKey, seq: 99 })],
      ['host record with seq bumped', { ...(await signControl(host, { room: roomId, kind: 'unlock', seq: 2 })), seq: 50 }],
      ['host signature on a stranger key', { ...(await signControl(host, { room: roomId, kind: 'unlock', seq: 2 })), by: mallory.publicKey }],
      ['record from another room', await signControl(other.host, { room: other.roomId, kind: 'unlock', seq: 99 })],
      ['host unlock re-addressed to this room', { ...(await signControl(other.host, { room: other.roomId, kind: 'unlock', seq: 99 })), room: roomId }],
    ];
    const garbage = [null, 7, 'lock', [], {}, { v: 1, kind: 'lock' }, { ...lock, kind: 'explode' }, { ...lock, sig: 'x'.repeat(10_000) }, { ...lock, target: 'someone' }];
    const { state, rejected } = await foldControls(roomId, [lock, ...attacks.map(([, r]) => r), ...garbage]);
    expect(state.locked).toBe(true);
    expect(state.ended).toBe(false);
    expect(state.removed.size).toBe(0);
    expect(state.hostKey).toBe(host.publicKey);
    expect(rejected).toHaveLength(attacks.length + garbage.length);
    const reasons = new Set(rejected.map((r) => r.reason));
    expect(reasons).toEqual(new Set(['not authorized', 'bad signature', 'other room', 'malformed']));
  });

  it('co-hosts may lock and admit but not end, grant co-host or remove the host; revoked co-hosts lose it', async () => {
    const { host, roomId } = await hostedRoom();
    const cohost = await newSigningIdentity();
    const grant = await signControl(host, { room: roomId, kind: 'cohost', target: cohost.publicKey, seq: 1 });
    const byCohost = (kind: 'lock' | 'end' | 'cohost' | 'remove', seq: number, target?: string) =>
      signControl(cohost, { room: roomId, kind, seq, ...(target ? { target } : {}) });
    const { state, rejected } = await foldControls(roomId, [
      grant,
      await byCohost('lock', 2),
      await byCohost('end', 3),
      await byCohost('cohost', 4, 'friend'),
      await byCohost('remove', 5, host.publicKey),
    ]);
    expect(state.locked).toBe(true);
    expect(state.ended).toBe(false);
    expect(state.cohosts).toEqual(new Set([cohost.publicKey]));
    expect(rejected.map((r) => (r.value as ControlRecord).kind)).toEqual(['end', 'cohost', 'remove']);
    const revoked = await foldControls(roomId, [
      grant,
      await signControl(host, { room: roomId, kind: 'revoke-cohost', target: cohost.publicKey, seq: 2 }),
      await byCohost('lock', 3),
    ]);
    expect(revoked.state.locked).toBe(false);
  });

  it('parseControl accepts only the exact shape', async () => {
    const { host, roomId } = await hostedRoom();
    const admit = await signControl(host, { room: roomId, kind: 'admit', target: 'k', seq: 1 });
    expect(parseControl(admit)).toEqual(admit);
    expect(parseControl({ ...admit, target: null })).toBeNull();
    expect(parseControl({ ...admit, seq: -1 })).toBeNull();
    expect(parseControl({ ...admit, seq: 1.5 })).toBeNull();
    expect(parseControl({ ...admit, at: Infinity })).toBeNull();
    expect(parseControl({ ...admit, v: 2 })).toBeNull();
  });
});

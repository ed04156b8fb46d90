import { describe, expect, it } from 'vitest';
import { allowedRelays, pickRelay, RelayDirectory, roomMeshMax } from '../../../../client/src/topology/relay-election';
import { openToLinkHolders } from '../../../../client/src/relay-node/relay-room-state';
import { foldControls, recordsAbout, signControl } from '../../../../crdt/room/control-records';
import { newSigningIdentity, roomIdForHostKey } from '../../../../crdt/identity/host-identity';
import { serverRelayIdFor } from '../../../../crdt/protocol/relay-presence';
import { SignalGuard } from '../../../../crdt/identity/signal-auth';
import type { RelayPresenceSigner } from '../../../../crdt/identity/relay-presence-auth';
import type { RelaySignal } from '../../../../crdt/protocol/relay-presence';
import { signedRelay, TEST_ROOM_ID } from '../../../support/signed-relay';

const ORIGIN_URL = 'wss://confab.example/relay';
const none = new Map<string, number>();

const guard = new SignalGuard(TEST_ROOM_ID, 'page', 'page-load');

/** What a page does with a relay signal off the wire: the signal guard's checks, then the directory. */
async function hear(directory: RelayDirectory, relay: RelayPresenceSigner, kind: RelaySignal['kind'] = 'relay', nowMs = 0): Promise<boolean> {
  const envelope = { v: 1 as const, from: relay.announcement.id, msg: await relay.signal(kind) };
  return (await guard.verify(envelope)) === 'ok' && guard.admit(envelope) && directory.heard(envelope.msg, nowMs);
}

async function pageOnOrigin(): Promise<RelayDirectory> {
  const directory = new RelayDirectory();
  directory.setOrigin({ id: await serverRelayIdFor(ORIGIN_URL), url: ORIGIN_URL, meshMax: 6 });
  return directory;
}

async function lockedRoom() {
  const host = await newSigningIdentity();
  const roomId = await roomIdForHostKey(host.publicKey);
  const lock = await signControl(host, { room: roomId, kind: 'lock', seq: 1 });
  return { host, roomId, lock };
}

describe('relays in a locked room (issue 13, attack 3: the announcement part)', () => {
  it('attack 3: an announcement under the room server’s own relay URL replaces nothing and sets no mesh limit', async () => {
    const page = await pageOnOrigin();
    const forged = await signedRelay(ORIGIN_URL, 1);
    expect(await hear(page, forged)).toBe(false);
    expect(await hear(page, forged, 'relay-bye')).toBe(false);
    const known = page.known(0);
    expect(known).toEqual([{ id: await serverRelayIdFor(ORIGIN_URL), url: ORIGIN_URL, meshMax: 6, origin: true, heardAtMs: Infinity }]);
    expect(roomMeshMax(known)).toBe(6);
  });

  it('attack 3: a denied knocker’s own relay (mesh limit 1) is never elected while the room is locked', async () => {
    const { host, roomId, lock } = await lockedRoom();
    const knocker = await newSigningIdentity();
    const deny = await signControl(host, { room: roomId, kind: 'deny', target: knocker.publicKey, seq: 2 });
    const { state } = await foldControls(roomId, [lock, deny]);
    const page = await pageOnOrigin();
    const attackerSigner = await signedRelay('ws://198.51.100.9:9000/relay', 1);
    await hear(page, attackerSigner);
    const attacker = attackerSigner.announcement;
    await hear(page, await signedRelay(ORIGIN_URL, 1));

    const allowed = allowedRelays(page.known(0), { open: openToLinkHolders(state), approved: state.approvedRelays });
    expect(allowed.map((r) => r.url)).toEqual([ORIGIN_URL]);
    expect(roomMeshMax(allowed)).toBe(6);
    // Even if the room document names it, or the page was on it before the lock.
    const current = page.known(0).find((r) => r.id === attacker.id)!;
    expect(pickRelay({ known: allowed, failedUntilMs: none, nowMs: 0, recordedUrl: attacker.url, current })?.url).toBe(ORIGIN_URL);
  });

  it('a relay a host or co-host approved with a signed record carries the locked room; anyone else’s approval counts for nothing', async () => {
    const { host, roomId, lock } = await lockedRoom();
    const cohost = await newSigningIdentity();
    const member = await newSigningIdentity();
    const page = await pageOnOrigin();
    const hostsRelaySigner = await signedRelay('wss://relay.example/relay', 20);
    const strangersRelaySigner = await signedRelay('wss://elsewhere.example/relay', 20);
    // Someone else announces the approved relay's URL under a key of their own: another id, not approved.
    const cloneSigner = await signedRelay('wss://relay.example/relay', 20);
    for (const r of [hostsRelaySigner, strangersRelaySigner, cloneSigner]) await hear(page, r);
    const [hostsRelay, strangersRelay] = [hostsRelaySigner.announcement, strangersRelaySigner.announcement];
    const grant = await signControl(host, { room: roomId, kind: 'cohost', target: cohost.publicKey, seq: 2 });
    const approvedByCohost = await signControl(cohost, { room: roomId, kind: 'approve-relay', target: hostsRelay.id, seq: 3 });
    const approvedByMember = await signControl(member, { room: roomId, kind: 'approve-relay', target: strangersRelay.id, seq: 3 });
    const { state, rejected } = await foldControls(roomId, [lock, grant, approvedByCohost, approvedByMember]);
    expect([...state.approvedRelays]).toEqual([hostsRelay.id]);
    expect(rejected.map((r) => r.reason)).toEqual(['not authorized']);
    const allowed = allowedRelays(page.known(0), { open: openToLinkHolders(state), approved: state.approvedRelays });
    expect(allowed.map((r) => r.id).sort()).toEqual([await serverRelayIdFor(ORIGIN_URL), hostsRelay.id].sort());
    expect(pickRelay({ known: allowed, failedUntilMs: none, nowMs: 0, recordedUrl: null, current: null })?.url).toBe(hostsRelay.url);
    // The approval travels with every announce's proof, so a newcomer knows it before syncing.
    expect(recordsAbout([lock, grant, approvedByCohost], member.publicKey)).toContainEqual(approvedByCohost);
  });

  it('an open room may use any relay joined to it, as before', async () => {
    const host = await newSigningIdentity();
    const roomId = await roomIdForHostKey(host.publicKey);
    const { state } = await foldControls(roomId, []);
    const page = await pageOnOrigin();
    const joinedSigner = await signedRelay('wss://relay.example/relay', 20);
    await hear(page, joinedSigner);
    const joined = joinedSigner.announcement;
    const allowed = allowedRelays(page.known(0), { open: openToLinkHolders(state), approved: state.approvedRelays });
    expect(pickRelay({ known: allowed, failedUntilMs: none, nowMs: 0, recordedUrl: null, current: null })?.url).toBe(joined.url);
  });
});

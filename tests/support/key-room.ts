import { emptyControlState, type RoomControlState } from '../../crdt/room/control-records';
import { newSigningIdentity, type SigningIdentity } from '../../crdt/identity/host-identity';
import { peerIdForKey } from '../../crdt/identity/participant-identity';
import { MediaKeys } from '../../client/src/media/e2ee/media-keys';
import type { Epoch } from '../../client/src/media/e2ee/media-keyring';

/**
 * Real MediaKeys instances (real ECDH, ECDSA, HKDF, AES-GCM) wired to each other by an
 * in-memory network that also keeps every key message it carried, as a relay would see them.
 * Each member's view of who is visible is set by the test.
 */
export interface KeyMember {
  name: string;
  id: string;
  identity: SigningIdentity;
  keys: MediaKeys;
  visible: Set<string>;
  installed: Epoch[];
  sendingUnder: number[];
  online: boolean;
}

export async function keyRoom(room = 'room-under-test') {
  const controls: RoomControlState = emptyControlState();
  const members = new Map<string, KeyMember>();
  /** Every key message that crossed the network (what a relay or the signaling path sees). */
  const wire: Uint8Array[] = [];
  /** Key messages sent but not yet handled by their receiver. */
  let inFlight = 0;

  async function add(name: string, opts: { host?: boolean } = {}): Promise<KeyMember> {
    const identity = await newSigningIdentity();
    const id = await peerIdForKey(identity.publicKey);
    if (opts.host) controls.hostKey = identity.publicKey;
    const m: KeyMember = { name, id, identity, visible: new Set(), installed: [], sendingUnder: [], online: true } as unknown as KeyMember;
    start(m);
    members.set(id, m);
    return m;
  }

  /** A fresh MediaKeys for the member (a new page with the same participant key: a reload). */
  function start(m: KeyMember): void {
    m.installed = [];
    m.sendingUnder = [];
    m.keys = new MediaKeys({
      room,
      identity: m.identity,
      selfId: m.id,
      controls: () => controls,
      visiblePeers: () => [...m.visible],
      send: (to, bytes) => {
        wire.push(bytes);
        for (const other of members.values()) {
          if (other === m || !other.online || (to !== null && to !== other.id)) continue;
          inFlight++;
          setTimeout(() => void other.keys.receive(bytes).finally(() => inFlight--), 1);
        }
      },
      install: (e) => m.installed.push(e),
      sendUnder: (epoch) => m.sendingUnder.push(epoch),
    });
  }

  /** Everyone online sees everyone else online, greets them, and reconsiders. */
  async function meetAll(): Promise<void> {
    const online = [...members.values()].filter((m) => m.online);
    for (const m of online) {
      m.visible = new Set(online.filter((o) => o !== m).map((o) => o.id));
      await m.keys.greet(null);
    }
    for (const m of online) m.keys.changed();
    await quiet();
  }

  /**
   * Until nothing is in flight and the wire stayed still for a while: every commit owed has been
   * made and delivered (fixed sleeps fail on a loaded machine, where sealing takes longer).
   */
  async function quiet(): Promise<void> {
    await settle();
    for (let seen = -1; inFlight > 0 || seen !== wire.length; ) {
      seen = inFlight > 0 ? -1 : wire.length;
      await settle(300);
    }
  }

  return { controls, members, wire, add, meetAll, reload: start };
}

/** Long enough for debounce, sealing, delivery and the send switch. */
export const settle = (ms = 600) => new Promise((r) => setTimeout(r, ms));

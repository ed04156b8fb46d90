import { exportHostKey, importHostKey, newSigningIdentity, roomIdForHostKey, type SigningIdentity } from '../../../crdt/identity/host-identity';

/**
 * Where this browser keeps its keys for a room. The participant key lives in sessionStorage:
 * one per tab (each tab is its own participant) that survives a reload, so an admitted guest
 * stays admitted. The host key lives in localStorage: the host's browser stays host.
 */
const participantKeyName = (roomId: string) => `confab.participant.${roomId}`;
const hostKeyName = (roomId: string) => `confab.host.${roomId}`;

function read(storage: Storage, name: string): string | null {
  try {
    return storage.getItem(name);
  } catch {
    return null;
  }
}

function write(storage: Storage, name: string, value: string): void {
  try {
    storage.setItem(name, value);
  } catch {
    /* storage refused (private mode): the key lasts as long as the page */
  }
}

export async function participantIdentity(roomId: string): Promise<SigningIdentity> {
  const stored = read(sessionStorage, participantKeyName(roomId));
  const restored = stored ? await importHostKey(stored) : null;
  if (restored) return restored;
  const fresh = await newSigningIdentity();
  write(sessionStorage, participantKeyName(roomId), await exportHostKey(fresh));
  return fresh;
}

/** The host key of this room if this browser holds it (and it really is this room's). */
export async function storedHostIdentity(roomId: string): Promise<SigningIdentity | null> {
  const stored = read(localStorage, hostKeyName(roomId));
  const identity = stored ? await importHostKey(stored) : null;
  return identity && (await roomIdForHostKey(identity.publicKey)) === roomId ? identity : null;
}

/** Keeps a host key from a host link; false if it is not this room's host key. */
export async function keepHostKey(roomId: string, exported: string): Promise<boolean> {
  const identity = await importHostKey(exported);
  if (!identity || (await roomIdForHostKey(identity.publicKey)) !== roomId) return false;
  write(localStorage, hostKeyName(roomId), exported);
  return true;
}

/** A new room: its id is derived from a fresh host key, which this browser keeps. */
export async function newHostedRoomId(): Promise<string> {
  const host = await newSigningIdentity();
  const roomId = await roomIdForHostKey(host.publicKey);
  write(localStorage, hostKeyName(roomId), await exportHostKey(host));
  return roomId;
}

export async function exportedHostKey(roomId: string): Promise<string | null> {
  const identity = await storedHostIdentity(roomId);
  return identity ? exportHostKey(identity) : null;
}

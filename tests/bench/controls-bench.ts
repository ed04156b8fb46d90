import { performance } from 'node:perf_hooks';
import { foldControls, signControl, type ControlRecord } from '../../crdt/room/control-records';
import { newSigningIdentity, roomIdForHostKey } from '../../crdt/identity/host-identity';

/**
 * Cost of folding a busy 50-person room's control records (every peer refolds on every
 * change): the first fold verifies every signature, later ones only new records.
 */
export async function controlFoldMs(people = 50): Promise<{ records: number; firstMs: number; refoldMs: number; refoldOneNewMs: number }> {
  const host = await newSigningIdentity();
  const room = await roomIdForHostKey(host.publicKey);
  const records: ControlRecord[] = [];
  let seq = 1;
  const add = async (kind: ControlRecord['kind'], target?: string) =>
    records.push(await signControl(host, { room, kind, seq: seq++, ...(target ? { target } : {}) }));
  await add('host-session', (await newSigningIdentity()).publicKey);
  for (let i = 0; i < 10; i++) await add(i % 2 ? 'unlock' : 'lock');
  for (let i = 0; i < people; i++) await add('admit', (await newSigningIdentity()).publicKey);
  for (let i = 0; i < 5; i++) await add('remove', (await newSigningIdentity()).publicKey);
  const time = async (values: unknown[]) => {
    const t0 = performance.now();
    await foldControls(room, values);
    return performance.now() - t0;
  };
  const firstMs = await time(records);
  const refoldMs = await time(records);
  await add('lock');
  const refoldOneNewMs = await time(records);
  return { records: records.length - 1, firstMs, refoldMs, refoldOneNewMs };
}

/**
 * What signed entries cost (crdt/room/signed-entries.ts): signing and verifying one chat
 * message, and a newcomer's sync of a 1,000-message chat (2,000 characters each) with and
 * without verifying every message.
 */
export async function signedChatMs(messages = 1_000): Promise<{ signMs: number; verifyMs: number; syncMs: number; syncVerifiedMs: number }> {
  const { DocSync } = await import('../../crdt/room/doc-sync');
  const { RoomDoc } = await import('../../crdt/room/room-doc');
  const { SignedRoom } = await import('../../crdt/room/signed-room');
  const { signChat, verifyChat } = await import('../../crdt/room/signed-entries');
  const { peerIdForKey } = await import('../../crdt/identity/participant-identity');
  const roomId = 'bench-room';
  const author = await newSigningIdentity();
  const from = await peerIdForKey(author.publicKey);
  const veteran = new RoomDoc();
  const text = 'x'.repeat(2_000);
  let t0 = performance.now();
  for (let i = 0; i < messages; i++) veteran.pushChat(await signChat(author, roomId, { id: `m${i}`, from, name: 'Author', text, sentAt: i }));
  const signMs = (performance.now() - t0) / messages;
  const values = veteran.chatValues();
  t0 = performance.now();
  for (const v of values) await verifyChat(`${roomId}-fresh`, v); // another room id: no cached verdicts
  const verifyMs = (performance.now() - t0) / messages;

  const syncOnce = async (verified: boolean) => {
    const newcomer = new RoomDoc();
    const view = verified ? new SignedRoom(newcomer, roomId) : null;
    const a = new DocSync(veteran.doc);
    const b = new DocSync(newcomer.doc);
    const start = performance.now();
    a.addChannel('b', { send: (bytes) => void b.receive('a', bytes) });
    b.addChannel('a', { send: (bytes) => void a.receive('b', bytes) });
    if (view) {
      await view.settled();
      if (view.chat().length !== messages) throw new Error(`verified ${view.chat().length} of ${messages}`);
    } else if (newcomer.chat().length !== messages) throw new Error('sync incomplete');
    const ms = performance.now() - start;
    a.destroy();
    b.destroy();
    return ms;
  };
  const syncMs = await syncOnce(false);
  // Verdicts are cached by content: a fresh process would verify all of them, so clear by using new values.
  const syncVerifiedMs = await syncOnce(true);
  return { signMs, verifyMs, syncMs, syncVerifiedMs };
}

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

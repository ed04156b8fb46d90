import { frameIv, openFrame, sealFrame, senderFrameKey } from '../../client/src/media/e2ee/frame-crypto';
import { SenderKeys } from '../../client/src/media/e2ee/sender-keys';
import { keyRoom, settle, type KeyMember } from '../support/key-room';
import { percentile } from './client-bench';

/**
 * Media keys in Node with real crypto (tests/support/key-room.ts wires real MediaKeys):
 * - a member leaves a room of N → every remaining member sends under the new epoch (this
 *   includes the 40 ms commit debounce and the 300 ms send switch, and every member's work
 *   runs on this one thread, so the last member's time is an upper bound);
 * - the committer's work alone (sealing the epoch to N − 1 members), and a member's (verify,
 *   open its box, derive the N sender keys);
 * - sealing and opening one 1,200-byte video frame (WebCrypto AES-GCM, as in the worker).
 */
export async function mediaKeysBench(members = 50, rotations = 5): Promise<void> {
  const r = await keyRoom('bench-room');
  const people: KeyMember[] = [await r.add('host', { host: true })];
  for (let i = 1; i < members; i++) people.push(await r.add(`m${i}`));
  await r.meetAll();
  await settle(2_000);
  const toAll: number[] = [];
  for (let i = 0; i < rotations; i++) {
    const leaver = people.pop()!;
    leaver.online = false;
    const before = people.map((p) => p.sendingUnder.length);
    const t0 = performance.now();
    for (const p of people) p.visible.delete(leaver.id);
    people[0]!.keys.changed();
    while (people.some((p, k) => p.sendingUnder.length === before[k])) await new Promise((res) => setTimeout(res, 2));
    toAll.push(performance.now() - t0);
  }
  const memberCostMs = await memberWorkMs(members);
  const frame = await frameCostUs();
  console.log(`\nConfab bench — media keys (Node ${process.version}, real crypto, one thread)\n`);
  console.table({
    [`leave in a room of ${members} → all ${members - 1 - rotations}–${members - 2} others sending under the new epoch`]: {
      p50: `${percentile(toAll, 50).toFixed(0)} ms`,
      p95: `${percentile(toAll, 95).toFixed(0)} ms`,
      runs: toAll.length,
    },
    [`one member's work for a new epoch of ${members} (verify, open box, derive ${members} sender keys)`]: {
      p50: `${memberCostMs.toFixed(1)} ms`,
      p95: '',
      runs: 1,
    },
    'seal one 1,200-byte frame (AES-128-GCM, AAD)': { p50: `${frame.sealUs.toFixed(0)} µs`, p95: '', runs: frame.runs },
    'open one 1,200-byte frame': { p50: `${frame.openUs.toFixed(0)} µs`, p95: '', runs: frame.runs },
  });
}

async function memberWorkMs(members: number): Promise<number> {
  const ids = Array.from({ length: members }, (_, i) => `member-${i}-padding`);
  const keys = new SenderKeys(ids[0]!, () => {});
  const t0 = performance.now();
  await keys.install({ epoch: 1, secret: crypto.getRandomValues(new Uint8Array(32)), members: ids });
  return performance.now() - t0;
}

async function frameCostUs(runs = 2_000): Promise<{ sealUs: number; openUs: number; runs: number }> {
  const label = { epoch: 3, keyId: 3, senderIndex: 0, senderId: 'sender-peer-id-1' };
  const key = await senderFrameKey(crypto.getRandomValues(new Uint8Array(32)), 3, label.senderId);
  const frame = crypto.getRandomValues(new Uint8Array(1_200));
  const salt = new Uint8Array(4);
  const sealed: Uint8Array[] = [];
  let t0 = performance.now();
  for (let i = 0; i < runs; i++) sealed.push(await sealFrame(key, label, frame, 3, frameIv(salt, i + 1)));
  const sealUs = ((performance.now() - t0) * 1000) / runs;
  t0 = performance.now();
  for (const s of sealed) await openFrame(key, label, s, 3);
  return { sealUs, openUs: ((performance.now() - t0) * 1000) / runs, runs };
}

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { newParticipant } from '../support/browser';
import { createRoom, joinRoom } from '../support/room-actions';
import { frameIv, openFrame, sealFrame, senderFrameKey } from '../../client/src/media/e2ee/frame-crypto';
import { SenderKeys } from '../../client/src/media/e2ee/sender-keys';
import { keyRoom, settle, type KeyMember } from '../support/key-room';
import { percentile } from './client-bench';

/**
 * Media keys in Node with real crypto (tests/support/key-room.ts wires real MediaKeys):
 * - a member leaves a room of N → every remaining member sends under the new epoch (this
 *   includes the commit, every member's held notice to every other, and every member's work
 *   on this one thread, so the last member's time is an upper bound; relay-keys-bench.ts does
 *   the same through a real relay node);
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

/**
 * With browsers (≤4 pages): a host and three guests; one guest at a time goes (closes its tab,
 * clicks Leave, or is removed by the host) and a new one joins. Leave → every remaining page sending under a newer epoch, and
 * where a newcomer's join time goes (Join click → peer connection up → first epoch → first
 * decoded frame), from the page's own log lines.
 */
export async function browserEpochBench(browser: Browser, baseUrl: string, rounds = 3): Promise<void> {
  const host = (await newParticipant(browser)).page;
  const link = await createRoom(host, baseUrl);
  await joinRoom(host, 'Host');
  const guests: { page: Page; context: BrowserContext; name: string }[] = [];
  const sendEpoch = async (p: Page) => (await p.evaluate(() => window.confabDebug!.e2ee())).sendEpoch ?? -1;
  const phases: Record<string, number[]> = { 'Join → peer connection up': [], 'Join → first epoch adopted': [], 'Join → first remote frame': [] };
  const join = async (i: number) => {
    const { page, context } = await newParticipant(browser);
    const marks: Record<string, number> = {};
    page.on('console', (m) => {
      const t = m.text();
      if (/^\[confab\] connection to .*: connected/.test(t)) marks.connected ??= Date.now();
      if (t.startsWith('[confab] media epoch')) marks.epoch ??= Date.now();
    });
    await page.goto(link);
    await page.getByLabel('Your name').fill(`Guest ${i}`);
    await page.waitForFunction(() => !document.querySelector<HTMLButtonElement>('form.join-form button')?.disabled);
    const t0 = Date.now();
    await page.getByRole('button', { name: 'Join', exact: true }).click();
    const hostId = await host.evaluate(() => window.confabDebug!.selfId);
    while (!(await page.evaluate((id) => window.confabDebug?.framesDecoded(id) ?? 0, hostId).catch(() => 0))) await page.waitForTimeout(10);
    phases['Join → first remote frame']!.push(Date.now() - t0);
    if (marks.connected) phases['Join → peer connection up']!.push(marks.connected - t0);
    if (marks.epoch) phases['Join → first epoch adopted']!.push(marks.epoch - t0);
    guests.push({ page, context, name: `Guest ${i}` });
  };
  for (let i = 0; i < 3; i++) await join(i);
  const ways = ['tab closed', 'Leave clicked', 'removed by the host'] as const;
  const leaveMs = new Map<(typeof ways)[number], number[]>(ways.map((w) => [w, []]));
  for (let r = 0; r < rounds * ways.length; r++) {
    // Five pages on a small machine: let the last join's work settle before timing a leave.
    await host.waitForTimeout(4_000);
    const stay = [host, ...guests.slice(1).map((g) => g.page)];
    const before = Math.max(...(await Promise.all(stay.map(sendEpoch))));
    const leaver = guests.shift()!;
    const way = ways[r % ways.length]!;
    const name = leaver.name;
    if (way === 'removed by the host' && !(await host.getByRole('button', { name: `Remove ${name}` }).isVisible())) {
      await host.getByRole('button', { name: 'Your room', exact: true }).click();
    }
    // The click is timed in the page: Playwright's own checks before a click take long on a busy machine.
    const button =
      way === 'Leave clicked' ? leaver.page.getByRole('button', { name: 'Leave' }) : way === 'removed by the host' ? host.getByRole('button', { name: `Remove ${name}` }) : null;
    const handle = await button?.elementHandle();
    let t0 = Date.now();
    if (handle) t0 = await handle.evaluate((el) => ((t) => ((el as HTMLElement).click(), t))(Date.now()));
    else await leaver.context.close();
    while (!(await Promise.all(stay.map(sendEpoch))).every((e) => e > before)) await host.waitForTimeout(10);
    leaveMs.get(way)!.push(Date.now() - t0);
    await leaver.context.close().catch(() => {});
    await join(3 + r);
  }
  await host.context().close();
  for (const g of guests) await g.context.close();
  console.log('\nConfab bench — media keys with browsers (4 Chromium pages, mesh)\n');
  const row = (v: number[]) => ({ p50: `${percentile(v, 50).toFixed(0)} ms`, p95: `${percentile(v, 95).toFixed(0)} ms`, runs: v.length });
  console.table({
    ...Object.fromEntries(ways.map((w) => [`${w} → all 3 others sealing under the new epoch`, row(leaveMs.get(w)!)])),
    ...Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, row(v)])),
  });
}

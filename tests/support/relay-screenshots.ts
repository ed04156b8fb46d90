import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { devices, type Page } from 'playwright-core';
import { launchChromium, newParticipant } from './browser';
import { repoRoot, startJoinedRelay, startRelay, type JoinedRelayProcess } from './relay-process';
import { createRoom, joinRoom, peerIds, waitUntil } from './room-actions';

/**
 * `npx tsx tests/support/relay-screenshots.ts` (after `npm run build`): Your room listing two
 * relays joined to a locked room, one approved and carrying it, one not, as the host sees it
 * at desktop size (1280×800) and a co-host on a phone (iPhone 13), into
 * docs/screenshots/relays-*.png. The room server's mesh limit is 2, and the relays join before
 * the third person: a room elects joined relays first, so it moves onto one of them.
 */
const outDir = join(repoRoot, 'docs', 'screenshots');
mkdirSync(outDir, { recursive: true });
const shot = (name: string) => join(outDir, `relays-${name}.png`);

async function showRelays(page: Page): Promise<void> {
  const list = page.getByRole('list', { name: 'Joined relays' });
  await list.waitFor({ timeout: 30_000 });
  await page.getByRole('heading', { name: /^Relays joined to this room/ }).scrollIntoViewIfNeeded();
  await page.waitForTimeout(300);
}

const relay = await startRelay({ args: ['--mesh-max', '2'] });
const browser = await launchChromium();
const joined: JoinedRelayProcess[] = [];
try {
  const alice = (await newParticipant(browser)).page;
  const link = await createRoom(alice, relay.url);
  await joinRoom(alice, 'Alice');
  const bob = (await newParticipant(browser)).page;
  await joinRoom(bob, 'Bob', link);
  joined.push(await startJoinedRelay(link), await startJoinedRelay(link));
  const phone = await browser.newContext({ ...devices['iPhone 13'], deviceScaleFactor: 1 });
  const pat = await phone.newPage();
  await joinRoom(pat, 'Pat', link);
  await waitUntil(async () => (await peerIds(alice)).length === 2, 60_000, 'three people in the room');

  await alice.getByRole('button', { name: 'Your room', exact: true }).click();
  const rows = alice.getByRole('list', { name: 'Joined relays' }).getByRole('listitem');
  const inUse = rows.filter({ has: alice.getByText('In use', { exact: true }) });
  await inUse.waitFor({ timeout: 60_000 });
  await inUse.getByRole('button', { name: 'Approve relay', exact: true }).click();
  await inUse.getByText('Approved', { exact: true }).waitFor();
  await alice.getByRole('button', { name: 'Make co-host: Pat' }).click();
  await alice.getByRole('button', { name: 'Lock room' }).click();
  await alice.getByText('Locked: new people must ask to join.').waitFor();
  await alice.waitForTimeout(2_000); // the lock settles: still on the approved relay
  await showRelays(alice);
  await alice.screenshot({ path: shot('desktop-your-room') });

  await pat.getByRole('button', { name: 'More' }).tap();
  await pat.getByRole('group', { name: 'More' }).getByRole('button', { name: 'Your room' }).tap();
  await showRelays(pat);
  await pat.screenshot({ path: shot('phone-your-room') });
  console.log(`screenshots written to ${outDir}`);
} finally {
  for (const r of joined) await r.stop();
  await browser.close();
  await relay.stop();
}

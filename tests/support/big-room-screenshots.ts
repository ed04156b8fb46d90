import { mkdirSync } from 'node:fs';
import { relayAccessFor } from '../../crdt/identity/relay-access';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { startBots } from '../load/harness';
import { loadRecording } from '../load/recording';
import { BOT_EPOCH, botEpochSecret, botSealer } from '../load/sealed-recording';
import { launchChromium, newParticipant } from './browser';
import { repoRoot, startRelay } from './relay-process';
import { createRoom, joinRoom, peerIds } from './room-actions';

/** `npx tsx tests/support/big-room-screenshots.ts`: grid, speaker and screen-share layouts of a room of 12 (3 browsers, 9 bots). */
const outDir = join(repoRoot, 'docs', 'screenshots');
mkdirSync(outDir, { recursive: true });
const shot = (name: string) => join(outDir, `${name}.png`);

const relay = await startRelay({ args: ['--mesh-max', '2'] });
const browser = await launchChromium();
let stopBots = () => {};
try {
  const pages = [];
  for (let i = 0; i < 3; i++) {
    const { page, context } = await newParticipant(browser);
    await context.addInitScript(() => localStorage.setItem('confab.testHooks', '1'));
    pages.push(page);
  }
  const [alice, bob, carol] = pages as [(typeof pages)[0], (typeof pages)[0], (typeof pages)[0]];
  const link = await createRoom(alice, relay.url);
  const [, roomId, secret] = /#([\w-]{22})\.([\w-]{22})/.exec(link)!;
  const botSecret = botEpochSecret();
  const bots = await startBots({ controlUrl: relay.url.replace(/^http/, 'ws') + 'relay' }, botSealer(loadRecording(), botSecret), 9, {
    videoSlots: 3,
    audioSlots: 3,
    audioLevel: (i) => (i === 0 ? 20 : 127),
    room: createHash('sha256').update(`confab/room/v1/${roomId}`).digest('base64url'),
    access: await relayAccessFor(secret!, roomId!),
    startBatch: 1,
  });
  stopBots = () => bots.stop();
  await joinRoom(alice, 'Alice');
  await joinRoom(bob, 'Bob', link);
  await joinRoom(carol, 'Carol', link);
  const botIds = bots.bots.map((b) => b.id);
  for (const page of pages) {
    await page.evaluate(([epoch, secret, ids]) => window.confabDebug!.tamper!.trustTestSenders(epoch, secret, ids), [
      BOT_EPOCH,
      Buffer.from(botSecret).toString('base64url'),
      botIds,
    ] as const);
  }
  while ((await peerIds(alice)).length < 11) await alice.waitForTimeout(300);
  await alice.waitForTimeout(6000);
  await alice.screenshot({ path: shot('big-room-grid') });
  await alice.getByRole('button', { name: 'Speaker layout' }).click();
  await alice.waitForTimeout(5000);
  await alice.screenshot({ path: shot('big-room-speaker') });
  await alice.getByRole('button', { name: 'Grid layout' }).click();
  await bob.getByRole('button', { name: 'Share screen' }).click();
  await alice.getByRole('figure', { name: 'Screen shared by Bob' }).waitFor();
  await alice.waitForTimeout(5000);
  await alice.screenshot({ path: shot('big-room-screen-share') });
  await bob.getByRole('button', { name: 'Stop sharing' }).click();
  await alice.setViewportSize({ width: 900, height: 640 });
  await alice.waitForTimeout(4000);
  await alice.screenshot({ path: shot('big-room-paged') });
} finally {
  stopBots();
  await browser.close();
  await relay.stop();
}

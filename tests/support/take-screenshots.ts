import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, newParticipant } from './browser';
import { repoRoot, startRelay } from './relay-process';
import { createRoom, joinRoom, peerIds, sendChat } from './room-actions';

/** `npm run screenshots`: every screen of a call, into docs/screenshots/ (README shows join and room). */
const outDir = join(repoRoot, 'docs', 'screenshots');
mkdirSync(outDir, { recursive: true });
const shot = (name: string) => join(outDir, `${name}.png`);

const relay = await startRelay();
const browser = await launchChromium();
try {
  const alice = (await newParticipant(browser)).page;
  await alice.goto(relay.url);
  await alice.screenshot({ path: shot('home') });
  const link = await createRoom(alice, relay.url);
  await alice.getByLabel('Your name').fill('Alice');
  await alice.waitForTimeout(1500);
  await alice.screenshot({ path: shot('join') });
  await joinRoom(alice, 'Alice');
  await alice.waitForTimeout(800);
  await alice.screenshot({ path: shot('waiting') });
  const bob = (await newParticipant(browser)).page;
  const carol = (await newParticipant(browser)).page;
  await joinRoom(bob, 'Bob', link);
  await joinRoom(carol, 'Carol', link);
  await carol.getByRole('button', { name: 'Microphone' }).click();
  while ((await peerIds(alice)).length < 2) await alice.waitForTimeout(200);
  await sendChat(bob, 'Hi all! Can you hear me?');
  await sendChat(alice, 'Loud and clear.');
  await alice.waitForTimeout(2500);
  await alice.screenshot({ path: shot('room') });
  await alice.getByRole('button', { name: 'Your room', exact: true }).click();
  await alice.waitForTimeout(300);
  await alice.screenshot({ path: shot('your-room') });
  const invalid = (await newParticipant(browser)).page;
  await invalid.goto(`${relay.url}#not-a-room`);
  await invalid.screenshot({ path: shot('invalid-link') });
  console.log(`screenshots written to ${outDir}`);
} finally {
  await browser.close();
  await relay.stop();
}

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
  await alice.getByRole('button', { name: 'Lock room' }).click();
  const dave = (await newParticipant(browser)).page;
  await joinRoom(dave, 'Dave', link);
  await dave.getByRole('heading', { name: 'This room is locked' }).waitFor();
  await dave.screenshot({ path: shot('locked') });
  await dave.getByRole('button', { name: 'Ask to join' }).click();
  await alice.getByText('Dave is asking to join').first().waitFor();
  await alice.waitForTimeout(300);
  await alice.screenshot({ path: shot('knock-in-panel') });
  await alice.getByRole('button', { name: 'Your room', exact: true }).click();
  await alice.waitForTimeout(300);
  await alice.screenshot({ path: shot('knock-floating') });
  await alice.getByRole('button', { name: 'Deny Dave' }).click();
  await dave.getByRole('heading', { name: "The host didn't let you in" }).waitFor();
  await dave.screenshot({ path: shot('denied') });
  await alice.getByRole('button', { name: 'Your room', exact: true }).click();
  await alice.getByRole('button', { name: 'Remove Carol' }).click();
  await carol.getByRole('heading', { name: 'The host removed you from this room' }).waitFor();
  await carol.screenshot({ path: shot('removed') });
  await alice.getByRole('button', { name: 'End room for everyone' }).click();
  await alice.screenshot({ path: shot('end-confirm') });
  await alice.getByRole('button', { name: 'Yes, end the room' }).click();
  await bob.getByRole('heading', { name: 'This room has ended' }).waitFor();
  await bob.screenshot({ path: shot('ended') });
  const invalid = (await newParticipant(browser)).page;
  await invalid.goto(`${relay.url}#not-a-room`);
  await invalid.screenshot({ path: shot('invalid-link') });
  console.log(`screenshots written to ${outDir}`);
} finally {
  await browser.close();
  await relay.stop();
}

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, newParticipant } from './browser';
import { ffClick, ffJoinRoom, ffSendChat, launchFirefox, newFirefoxPage } from './firefox';
import { repoRoot, startRelay } from './relay-process';
import { createRoom, joinRoom, peerIds } from './room-actions';

/**
 * `npx tsx tests/support/firefox-screenshots.ts`: a mixed room seen from Firefox (stock ESR over
 * WebDriver BiDi), desktop and phone widths, into docs/screenshots/firefox-*.png.
 */
const outDir = join(repoRoot, 'docs', 'screenshots');
mkdirSync(outDir, { recursive: true });
const shot = (name: string) => join(outDir, `firefox-${name}.png`) as `${string}.png`;

const relay = await startRelay();
const chromium = await launchChromium();
const firefox = await launchFirefox();
try {
  const alice = (await newParticipant(chromium)).page;
  const link = await createRoom(alice, relay.url);
  await joinRoom(alice, 'Alice');
  const bob = (await newParticipant(chromium)).page;
  await joinRoom(bob, 'Bob', link);
  const fox = await newFirefoxPage(firefox);
  await fox.goto(link);
  await new Promise((r) => setTimeout(r, 2_000));
  await fox.screenshot({ path: shot('join') });
  await ffJoinRoom(fox, 'Fox');
  while ((await peerIds(alice)).length < 2) await new Promise((r) => setTimeout(r, 200));
  await ffSendChat(fox, 'Hello from Firefox');
  await new Promise((r) => setTimeout(r, 3_000));
  await fox.screenshot({ path: shot('room') });
  await fox.setViewport({ width: 390, height: 844, isMobile: true, hasTouch: true });
  await fox.reload(); // a phone opens the page at its own size
  await new Promise((r) => setTimeout(r, 5_000));
  await fox.screenshot({ path: shot('phone-room') });
  await ffClick(fox, 'Chat');
  await new Promise((r) => setTimeout(r, 1_000));
  await fox.screenshot({ path: shot('phone-chat') });
} finally {
  await firefox.close();
  await chromium.close();
  await relay.stop();
}

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, newParticipant } from './browser';
import { repoRoot, startRelay } from './relay-process';
import { createRoom, joinRoom, peerIds } from './room-actions';

/**
 * `npx tsx tests/support/comfort-screenshots.ts` (after `npm run build`): the issue-14 screens —
 * background blur and replace (as the others see them), More and Settings, a Spanish page — at
 * desktop size (1280×800) and on a phone (390×844), into docs/screenshots/comforts-*.png.
 * Chromium's fake camera shows no person (a green test pattern), so the segmenter finds little
 * to keep and most of the frame is blurred or replaced.
 */
const outDir = join(repoRoot, 'docs', 'screenshots');
mkdirSync(outDir, { recursive: true });
const shot = (name: string) => join(outDir, `comforts-${name}.png`);

async function phonePage(browser: Browser, locale = 'en-US'): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1, locale });
  return context.newPage();
}

async function openMore(page: Page, label = 'More'): Promise<void> {
  const more = page.getByRole('button', { name: label, exact: true });
  if ((await more.getAttribute('aria-expanded')) !== 'true') await more.click();
}

const relay = await startRelay();
const browser = await launchChromium();
try {
  const alice = (await newParticipant(browser)).page;
  const link = await createRoom(alice, relay.url);
  await joinRoom(alice, 'Alice');
  const bob = (await newParticipant(browser)).page;
  await joinRoom(bob, 'Bob', link);
  const pat = await phonePage(browser);
  await joinRoom(pat, 'Pat', link);
  while ((await peerIds(alice)).length < 2) await alice.waitForTimeout(200);
  await bob.waitForTimeout(2_000);

  // More and Settings, desktop and phone.
  await openMore(alice);
  await alice.waitForTimeout(300);
  await alice.screenshot({ path: shot('desktop-more') });
  await alice.getByRole('button', { name: 'Settings', exact: true }).click();
  await alice.waitForTimeout(300);
  await alice.screenshot({ path: shot('desktop-settings') });
  await alice.getByRole('dialog', { name: 'Settings' }).getByRole('button', { name: 'Done' }).click();
  await openMore(pat);
  await pat.waitForTimeout(300);
  await pat.screenshot({ path: shot('phone-more') });
  await pat.getByRole('button', { name: 'Settings', exact: true }).click();
  await pat.waitForTimeout(300);
  await pat.screenshot({ path: shot('phone-settings') });
  await pat.getByRole('dialog', { name: 'Settings' }).getByRole('button', { name: 'Done' }).click();

  // Blur: Alice turns it on; Bob (desktop) and Pat (phone) see it.
  await openMore(alice);
  await alice.getByRole('button', { name: 'Blur background', exact: true }).click();
  await alice.keyboard.press('Escape');
  while (((await alice.evaluate(() => window.confabDebug!.backgroundStats()))?.segmentations ?? 0) < 4) await alice.waitForTimeout(300);
  await bob.waitForTimeout(2_500);
  await bob.screenshot({ path: shot('desktop-blur') });
  await pat.screenshot({ path: shot('phone-blur') });
  // Replace: the beach; Alice's own screen shows the picker.
  await openMore(alice);
  await alice.getByRole('button', { name: 'Replace background', exact: true }).click();
  await alice.getByRole('dialog', { name: 'Choose a background' }).getByRole('button', { name: 'Beach' }).click();
  await bob.waitForTimeout(3_000);
  await alice.screenshot({ path: shot('desktop-replace-picker') });
  await bob.screenshot({ path: shot('desktop-replace') });
  await pat.screenshot({ path: shot('phone-replace') });
  // The phone itself blurs, with its picker as a sheet.
  await openMore(pat);
  await pat.getByRole('button', { name: 'Replace background', exact: true }).click();
  await pat.getByRole('dialog', { name: 'Choose a background' }).getByRole('button', { name: 'Office' }).click();
  await pat.waitForTimeout(3_000);
  await pat.screenshot({ path: shot('phone-replace-picker') });
  await pat.getByRole('dialog', { name: 'Choose a background' }).getByRole('button', { name: 'Done' }).click();
  await pat.waitForTimeout(1_000);
  await pat.screenshot({ path: shot('phone-replace-self') });

  // Recording: the mark on Alice's tile at Bob's, and in the list.
  await openMore(alice);
  await alice.getByRole('button', { name: 'Start recording', exact: true }).click();
  await bob.getByRole('figure', { name: 'Alice', exact: true }).getByText('Recording').waitFor();
  await bob.getByRole('button', { name: 'Your room' }).click();
  await bob.waitForTimeout(500);
  await bob.screenshot({ path: shot('desktop-recording-mark') });
  await alice.screenshot({ path: shot('desktop-recording') });

  // Spanish pages: a browser whose language is es.
  const ana = (await newParticipant(browser, { locale: 'es-ES' })).page;
  await ana.goto(relay.url);
  await ana.waitForTimeout(500);
  await ana.screenshot({ path: shot('desktop-spanish-home') });
  await ana.goto(link);
  await ana.getByLabel('Tu nombre').fill('Ana');
  // Blur chosen on the join screen, before anyone sees the camera.
  await ana.getByRole('button', { name: 'Desenfocar el fondo' }).click();
  await ana.waitForTimeout(4_000);
  await ana.screenshot({ path: shot('desktop-spanish-join') });
  await ana.getByRole('button', { name: 'Entrar', exact: true }).click();
  await ana.getByRole('navigation', { name: 'Controles de la llamada' }).waitFor();
  await ana.waitForTimeout(2_500);
  await openMore(ana, 'Más');
  await ana.waitForTimeout(300);
  await ana.screenshot({ path: shot('desktop-spanish-room') });
  const anaPhone = await phonePage(browser, 'es-ES');
  await anaPhone.goto(link);
  await anaPhone.getByLabel('Tu nombre').fill('Sol');
  await anaPhone.waitForTimeout(1_500);
  await anaPhone.screenshot({ path: shot('phone-spanish-join') });
  await anaPhone.getByRole('button', { name: 'Reemplazar el fondo' }).click();
  await anaPhone.getByRole('dialog', { name: 'Elige un fondo' }).getByRole('button', { name: 'Bosque' }).click();
  await anaPhone.waitForTimeout(4_000);
  await anaPhone.screenshot({ path: shot('phone-spanish-join-replace') });
  await anaPhone.getByRole('dialog', { name: 'Elige un fondo' }).getByRole('button', { name: 'Hecho' }).click();
  await anaPhone.getByRole('button', { name: 'Entrar', exact: true }).click();
  await anaPhone.getByRole('navigation', { name: 'Controles de la llamada' }).waitFor();
  await anaPhone.waitForTimeout(2_000);
  await openMore(anaPhone, 'Más');
  await anaPhone.waitForTimeout(300);
  await anaPhone.screenshot({ path: shot('phone-spanish-more') });
  console.log(`screenshots in ${outDir}`);
} finally {
  await browser.close();
  await relay.stop();
}

import type { Page } from 'playwright-core';
import { waitUntil } from './wait';

export { waitUntil };

/** What a person does on the home page: Create room, then read the invite link shown. */
export async function createRoom(page: Page, baseUrl: string): Promise<string> {
  await page.goto(baseUrl);
  await page.getByRole('button', { name: 'Create room' }).click();
  const link = await page.getByLabel('Invite link').inputValue();
  if (!/#[\w-]{22}\.[\w-]{22}(&relay=[^&]+)?$/.test(link)) throw new Error(`not an invite link: ${link}`);
  return link;
}

/** Join screen: type a name, wait for the camera preview to start, click Join. */
export async function joinRoom(page: Page, name: string, link?: string): Promise<void> {
  if (link) await page.goto(link);
  await page.getByLabel('Your name').fill(name);
  const join = page.getByRole('button', { name: 'Join', exact: true });
  await join.click({ timeout: 15_000 });
  await page.getByRole('navigation', { name: 'Call controls' }).waitFor();
}

export function peerIds(page: Page): Promise<string[]> {
  return page.evaluate(() => window.confabDebug?.peerIds() ?? []);
}

export function framesDecoded(page: Page, peerId: string): Promise<number> {
  return page.evaluate((id) => window.confabDebug!.framesDecoded(id), peerId);
}

export function audioPeak(page: Page, peerId: string, windowMs = 1_000): Promise<number> {
  return page.evaluate(([id, ms]) => window.confabDebug!.audioPeak(id as string, ms as number), [peerId, windowMs] as const);
}

/** Video is flowing when decoded frames keep rising. */
export async function expectVideoFlowing(page: Page, peerId: string): Promise<void> {
  await waitUntil(async () => (await framesDecoded(page, peerId)) > 0, 20_000, `first frame from ${peerId}`);
  const before = await framesDecoded(page, peerId);
  await waitUntil(async () => (await framesDecoded(page, peerId)) > before + 5, 10_000, `frames rising from ${peerId}`);
}

export async function openChat(page: Page): Promise<void> {
  const chat = page.getByRole('button', { name: 'Chat', exact: true });
  if ((await chat.getAttribute('aria-pressed')) !== 'true') await chat.click();
}

export async function sendChat(page: Page, text: string): Promise<void> {
  await openChat(page);
  await page.getByLabel('Message').fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
}

/** Alice creates a room and Bob joins by its link; returns once they are connected. */
export async function twoPersonCall(newPage: () => Promise<Page>, baseUrl: string): Promise<{ alice: Page; bob: Page; link: string }> {
  const alice = await newPage();
  const bob = await newPage();
  const link = await createRoom(alice, baseUrl);
  await joinRoom(alice, 'Alice');
  await joinRoom(bob, 'Bob', link);
  await waitUntil(async () => (await peerIds(alice)).length === 1, 20_000, 'alice and bob connected');
  return { alice, bob, link };
}

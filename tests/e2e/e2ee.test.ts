import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { newParticipant } from '../support/browser';
import { useRelayAndBrowser } from '../support/e2e-harness';
import { createRoom, framesDecoded, joinRoom, peerIds, waitUntil } from '../support/room-actions';

const e2ee = (page: Page) => page.evaluate(() => window.confabDebug!.e2ee());
const selfId = (page: Page) => page.evaluate(() => window.confabDebug!.selfId);

/** Decoded video frames from `peerId` rise on `page` over a second. */
async function decodes(page: Page, peerId: string): Promise<boolean> {
  const before = await framesDecoded(page, peerId);
  await page.waitForTimeout(1_000);
  return (await framesDecoded(page, peerId)) > before + 3;
}

/** Media is sealed in the sending browser and opened in the receiving one; nobody else can. */
describe('end-to-end encrypted media', () => {
  const h = useRelayAndBrowser();
  const pages: Record<'alice' | 'bob' | 'carol', Page> = {} as never;
  const ids: Record<'alice' | 'bob' | 'carol', string> = {} as never;

  it('every frame is sealed by its sender and opened by its receivers', async () => {
    for (const name of ['alice', 'bob', 'carol'] as const) {
      const { context, page } = await newParticipant(h.browser);
      await context.addInitScript(() => localStorage.setItem('confab.testHooks', '1'));
      pages[name] = page;
    }
    const { alice, bob, carol } = pages;
    const link = await createRoom(alice, h.relay.url);
    await joinRoom(alice, 'Alice');
    await joinRoom(bob, 'Bob', link);
    await joinRoom(carol, 'Carol', link);
    for (const page of Object.values(pages)) await waitUntil(async () => (await peerIds(page)).length === 2, 20_000, 'full mesh');
    for (const name of ['alice', 'bob', 'carol'] as const) ids[name] = await selfId(pages[name]);
    for (const [viewer, from] of [[alice, ids.bob], [bob, ids.carol], [carol, ids.alice]] as const) {
      await waitUntil(() => decodes(viewer, from), 20_000, 'video decoded through the encryption');
    }
    for (const page of Object.values(pages)) {
      const counts = await e2ee(page);
      console.log(`[e2ee] ${JSON.stringify(counts)}`);
      expect(counts.sealed).toBeGreaterThan(50);
      expect(counts.opened).toBeGreaterThan(50);
      expect([...counts.keyHolders].sort()).toEqual(Object.values(ids).sort());
    }
  });

  it('a participant without the room’s media key gets nothing it can decode, and sends nothing others can', async () => {
    const { alice, bob, carol } = pages;
    await carol.evaluate(() => window.confabDebug!.tamper!.useWrongMediaKey());
    const failedBefore = (await e2ee(carol)).failed;
    // The real epoch is forgotten once the grace for late frames (sender-keys.ts) has passed.
    await expect.poll(async () => (await e2ee(carol)).heldEpochs.length, { timeout: 10_000 }).toBe(1);
    await carol.waitForTimeout(500); // frames already opened drain from the decoder
    expect(await decodes(carol, ids.alice), 'Carol decodes nothing from Alice').toBe(false);
    expect(await decodes(alice, ids.carol), 'Alice decodes nothing from Carol').toBe(false);
    expect((await e2ee(carol)).failed).toBeGreaterThan(failedBefore + 20);
    expect(await decodes(alice, ids.bob), 'Alice and Bob are unaffected').toBe(true);
    expect(await decodes(bob, ids.alice)).toBe(true);
  });

  it('after the host removes someone, those who remain move to a new key and keep seeing each other', async () => {
    const { alice, bob } = pages;
    const epochBefore = (await e2ee(alice)).epoch;
    await alice.getByRole('button', { name: 'Your room', exact: true }).click();
    await alice.getByRole('button', { name: 'Remove Carol' }).click();
    for (const page of [alice, bob]) await expect.poll(async () => (await e2ee(page)).sendEpoch ?? -1, { timeout: 10_000 }).toBeGreaterThan(epochBefore);
    expect([...(await e2ee(bob)).keyHolders].sort()).toEqual([ids.alice, ids.bob].sort());
    const failed = (await e2ee(bob)).failed;
    await waitUntil(() => decodes(alice, ids.bob), 10_000, 'Alice decodes Bob under the new key');
    await waitUntil(() => decodes(bob, ids.alice), 10_000, 'Bob decodes Alice under the new key');
    expect((await e2ee(bob)).failed - failed, 'frames Bob could not open after the switch').toBeLessThan(30);
  });

  it('a browser without encoded transforms is told it cannot join an encrypted room', async () => {
    const { context, page } = await newParticipant(h.browser);
    await context.addInitScript(() => delete (window as { RTCRtpScriptTransform?: unknown }).RTCRtpScriptTransform);
    const link = await createRoom(page, h.relay.url);
    await page.goto(link);
    await page.getByLabel('Your name').fill('Old browser');
    await page.getByText('This browser can’t join: every Confab call is end-to-end encrypted').waitFor();
    expect(await page.getByRole('button', { name: 'Join', exact: true }).isDisabled()).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { newParticipant } from '../support/browser';
import { useRelayAndBrowser } from '../support/e2e-harness';
import { expectVideoFlowing, twoPersonCall } from '../support/room-actions';

const screenFrames = (page: Page, peerId: string) => page.evaluate((id) => window.confabDebug!.screenFrames(id), peerId);

/** Chromium's fake screen is 1280 wide; the camera is 640×480, so sizes tell the two apart. */
describe('screen share in a mesh call', () => {
  const h = useRelayAndBrowser();

  it('the shared screen becomes the large tile for the others, at its own resolution; stopping restores the grid', async () => {
    const { alice, bob } = await twoPersonCall(async () => (await newParticipant(h.browser)).page, h.relay.url);
    const aliceId = await alice.evaluate(() => window.confabDebug!.selfId);
    const screenTile = bob.getByRole('figure', { name: 'Screen shared by Alice' });

    await alice.getByRole('button', { name: 'Share screen' }).click();
    await alice.getByText('You are sharing your screen').waitFor();
    await screenTile.waitFor({ timeout: 15_000 });
    const captured = (await alice.evaluate(() => window.confabDebug!.localScreenSize()))!;
    expect(captured.width).toBeGreaterThan(640);
    // Full width, not scaled down (Chromium's fake screen reports 800 rows but sends 720).
    await expect.poll(async () => (await screenFrames(bob, aliceId)).width, { timeout: 20_000 }).toBe(captured.width);
    expect((await screenFrames(bob, aliceId)).height).toBeGreaterThanOrEqual(720);
    console.log(`[measure] screen share at bob: ${JSON.stringify(await screenFrames(bob, aliceId))}`);
    const before = (await screenFrames(bob, aliceId)).framesDecoded;
    await expect.poll(async () => (await screenFrames(bob, aliceId)).framesDecoded, { timeout: 10_000 }).toBeGreaterThan(before + 3);
    // The sharer's camera stays, as a thumbnail beside the screen.
    expect(await bob.getByRole('figure', { name: 'Alice', exact: true }).isVisible()).toBe(true);
    await expectVideoFlowing(bob, aliceId);
    const [screenBox, cameraBox] = await Promise.all([screenTile.boundingBox(), bob.getByRole('figure', { name: 'Alice', exact: true }).boundingBox()]);
    expect(screenBox!.width).toBeGreaterThan(cameraBox!.width * 2);

    await alice.getByRole('button', { name: 'Stop sharing' }).click();
    await expect.poll(() => screenTile.count(), { timeout: 10_000 }).toBe(0);

    // Stopped from the browser's own "Stop sharing" bar: the track ends, the share ends too.
    await alice.getByRole('button', { name: 'Share screen' }).click();
    await screenTile.waitFor({ timeout: 15_000 });
    await alice.evaluate(() => window.confabDebug!.endScreenTrackAsBrowser());
    await expect.poll(() => screenTile.count(), { timeout: 10_000 }).toBe(0);
    expect(await alice.getByRole('button', { name: 'Share screen' }).getAttribute('aria-pressed')).toBe('false');
  });
});

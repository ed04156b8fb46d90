import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { newParticipant } from '../support/browser';
import { useRelayAndBrowser } from '../support/e2e-harness';
import { createRoom, expectVideoFlowing, joinRoom, peerIds, waitUntil } from '../support/room-actions';

const screenFrames = (page: Page, peerId: string) => page.evaluate((id) => window.confabDebug!.screenFrames(id), peerId);
const relayScreenActive = (page: Page) => page.evaluate(() => window.confabDebug!.relayScreenActive());

async function metric(baseUrl: string, name: string): Promise<number> {
  const text = await (await fetch(new URL('/metrics', baseUrl))).text();
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
}

/**
 * Relay mode (--mesh-max 2, three Chromium pages): a shared screen goes up to the relay node on
 * the relay connection's screen transceiver and down to the others on their screen slot, not
 * over mesh links. Chromium's fake screen is 1280 wide, the camera 640×480, so the received
 * width tells the screen apart from any camera layer.
 */
describe('screen share through the relay node', () => {
  const h = useRelayAndBrowser(['--mesh-max', '2']);
  const pages: Record<string, Page> = {};
  let aliceId = '';

  it('three people are in relay mode', async () => {
    for (const name of ['alice', 'bob', 'carol']) pages[name] = (await newParticipant(h.browser)).page;
    const link = await createRoom(pages.alice!, h.relay.url);
    await joinRoom(pages.alice!, 'Alice');
    await joinRoom(pages.bob!, 'Bob', link);
    await joinRoom(pages.carol!, 'Carol', link);
    for (const page of Object.values(pages)) {
      await expect.poll(() => page.evaluate(() => window.confabDebug!.topology()), { timeout: 30_000 }).toBe('relay');
      await expect.poll(() => peerIds(page).then((ids) => ids.length), { timeout: 30_000 }).toBe(2);
    }
    aliceId = await pages.alice!.evaluate(() => window.confabDebug!.selfId);
    for (const name of ['bob', 'carol']) await expectVideoFlowing(pages[name]!, aliceId);
    // Nobody shares yet: the relay forwards no screen, and every screen transceiver is paused.
    expect(await metric(h.relay.url, 'confab_relay_screen_packets_in_total')).toBe(0);
    for (const page of Object.values(pages)) expect(await relayScreenActive(page)).toBe(false);
  });

  it('Alice shares her screen: the others decode it at full size from their relay screen slot, not a mesh link', async () => {
    const alice = pages.alice!;
    const viewers = [pages.bob!, pages.carol!];
    const e2ee = (page: Page) => page.evaluate(() => window.confabDebug!.e2ee());
    const failedBefore = await Promise.all(viewers.map(async (page) => (await e2ee(page)).failed));
    const sharedAt = Date.now();
    await alice.getByRole('button', { name: 'Share screen' }).click();
    await alice.getByText('You are sharing your screen').waitFor();
    const captured = (await alice.evaluate(() => window.confabDebug!.localScreenSize()))!;
    expect(captured.width).toBeGreaterThan(640);
    // Per viewer: ms from the click to the screen tile showing, and to its first full-size frame through the relay.
    const timings = await Promise.all(
      viewers.map(async (page) => {
        let tileMs = 0;
        await waitUntil(async () => {
          if (!tileMs && (await page.getByRole('figure', { name: 'Screen shared by Alice' }).count()) > 0) tileMs = Date.now() - sharedAt;
          const s = await screenFrames(page, aliceId);
          return s.via === 'relay' && s.framesDecoded > 0 && s.width === captured.width;
        }, 30_000, 'the screen decoded through the relay at full width');
        return { tileMs, frameMs: Date.now() - sharedAt };
      }),
    );
    for (const page of viewers) {
      await page.getByRole('figure', { name: 'Screen shared by Alice' }).waitFor({ timeout: 10_000 });
      const s = await screenFrames(page, aliceId);
      // Chromium's fake screen reports 800 rows but sends 720.
      expect(s.height).toBeGreaterThanOrEqual(720);
      await expect.poll(async () => (await screenFrames(page, aliceId)).framesDecoded, { timeout: 10_000 }).toBeGreaterThan(s.framesDecoded + 3);
      // The mesh links carry no screen in relay mode.
      expect((await screenFrames(page, aliceId)).meshFramesDecoded).toBe(0);
      // The sharer's camera stays, as a thumbnail beside the screen.
      await expectVideoFlowing(page, aliceId);
    }
    // Watched: the relay unpaused Alice's screen transceiver (and nobody else's).
    expect(await relayScreenActive(alice)).toBe(true);
    for (const page of viewers) expect(await relayScreenActive(page)).toBe(false);
    // Sealed end to end like the camera: every screen frame opened (a frame that does not open is never decoded).
    for (const [i, page] of viewers.entries()) expect((await e2ee(page)).failed).toBe(failedBefore[i]);
    const screenIn = await metric(h.relay.url, 'confab_relay_screen_packets_in_total');
    const screenOut = await metric(h.relay.url, 'confab_relay_screen_packets_out_total');
    expect(screenIn).toBeGreaterThan(0);
    // Two subscribers: about twice what came in (minus what arrived before each one's keyframe).
    expect(screenOut).toBeGreaterThan(screenIn);
    const bob = await screenFrames(pages.bob!, aliceId);
    // What Bob sees, to look at (not compared): the screen on the stage, the cameras beside it.
    const shot = join(tmpdir(), 'confab-relay-screen-share.png');
    await pages.bob!.screenshot({ path: shot });
    console.log(`[screenshot] ${shot}`);
    console.log(
      `[measure] relay screen share: Share → tile shown / first full-size frame decoded: Bob ${timings[0]!.tileMs} / ${timings[0]!.frameMs} ms, ` +
        `Carol ${timings[1]!.tileMs} / ${timings[1]!.frameMs} ms; ` +
        `received ${bob.width}×${bob.height}; relay screen packets in ${screenIn}, out ${screenOut}`,
    );
  });

  it('stopping the share removes the tile everywhere, and the relay stops forwarding the screen', async () => {
    await pages.alice!.getByRole('button', { name: 'Stop sharing' }).click();
    for (const page of [pages.bob!, pages.carol!]) {
      await expect.poll(() => page.getByRole('figure', { name: 'Screen shared by Alice' }).count(), { timeout: 10_000 }).toBe(0);
    }
    // Paused once nobody watches: the relay says so, and the count settles.
    await expect.poll(() => relayScreenActive(pages.alice!), { timeout: 10_000 }).toBe(false);
    // (A packet already on its way may still land: wait for 2 s with none, on a busy machine too.)
    let last = -1;
    await waitUntil(async () => {
      const now = await metric(h.relay.url, 'confab_relay_screen_packets_in_total');
      const quiet = now === last;
      last = now;
      if (!quiet) await pages.alice!.waitForTimeout(2_000);
      return quiet;
    }, 20_000, 'no more screen packets reaching the relay');
  });
});

/**
 * A share that is on when the room moves to the relay moves with it (make before break: the
 * mesh links stop carrying it once the relay does), and back to the mesh links when the room
 * goes back to a mesh.
 */
describe('a screen shared across mesh ⇄ relay switches', () => {
  const h = useRelayAndBrowser(['--mesh-max', '2']);
  const pages: Record<string, Page> = {};
  let link = '';
  let aliceId = '';
  const rising = async (page: Page, field: 'framesDecoded' | 'meshFramesDecoded') => {
    const before = (await screenFrames(page, aliceId))[field];
    await expect.poll(async () => (await screenFrames(page, aliceId))[field], { timeout: 15_000 }).toBeGreaterThan(before + 2);
  };

  it('shared in a mesh of two, the screen arrives over the mesh link', async () => {
    for (const name of ['alice', 'bob']) pages[name] = (await newParticipant(h.browser)).page;
    link = await createRoom(pages.alice!, h.relay.url);
    await joinRoom(pages.alice!, 'Alice');
    await joinRoom(pages.bob!, 'Bob', link);
    await expect.poll(() => peerIds(pages.bob!).then((ids) => ids.length), { timeout: 20_000 }).toBe(1);
    aliceId = await pages.alice!.evaluate(() => window.confabDebug!.selfId);
    await pages.alice!.getByRole('button', { name: 'Share screen' }).click();
    await pages.bob!.getByRole('figure', { name: 'Screen shared by Alice' }).waitFor({ timeout: 15_000 });
    await expect.poll(async () => (await screenFrames(pages.bob!, aliceId)).width, { timeout: 20_000 }).toBe(1280);
    expect((await screenFrames(pages.bob!, aliceId)).via).toBe('mesh');
    await rising(pages.bob!, 'framesDecoded');
  });

  it('a third person moves the room to the relay: the screen goes on through it, and no longer over the mesh', async () => {
    pages.carol = (await newParticipant(h.browser)).page;
    const joinedAt = Date.now();
    await joinRoom(pages.carol, 'Carol', link);
    for (const page of Object.values(pages)) {
      await expect.poll(() => page.evaluate(() => window.confabDebug!.topology()), { timeout: 30_000 }).toBe('relay');
    }
    for (const page of [pages.bob!, pages.carol]) {
      await page.getByRole('figure', { name: 'Screen shared by Alice' }).waitFor({ timeout: 15_000 });
      await waitUntil(async () => {
        const s = await screenFrames(page, aliceId);
        return s.via === 'relay' && s.framesDecoded > 0 && s.width === 1280;
      }, 30_000, 'the screen through the relay after the switch');
      console.log(`[measure] Carol's Join → ${page === pages.bob ? 'Bob' : 'Carol'} decoding Alice's screen through the relay: ${Date.now() - joinedAt} ms`);
      await rising(page, 'framesDecoded');
    }
    // Bob's mesh link decoded the screen before; now it gets no more of it.
    const meshBefore = (await screenFrames(pages.bob!, aliceId)).meshFramesDecoded;
    await pages.bob!.waitForTimeout(2_000);
    expect((await screenFrames(pages.bob!, aliceId)).meshFramesDecoded).toBe(meshBefore);
    expect(await metric(h.relay.url, 'confab_relay_screen_packets_out_total')).toBeGreaterThan(0);
  });

  it('when the third leaves, the screen is back on the mesh link', async () => {
    await pages.carol!.getByRole('button', { name: 'Leave' }).click();
    await expect.poll(() => pages.bob!.evaluate(() => window.confabDebug!.topology()), { timeout: 30_000 }).toBe('mesh');
    await expect.poll(async () => (await screenFrames(pages.bob!, aliceId)).via, { timeout: 15_000 }).toBe('mesh');
    await rising(pages.bob!, 'meshFramesDecoded');
    expect((await screenFrames(pages.bob!, aliceId)).width).toBe(1280);
    await pages.alice!.getByRole('button', { name: 'Stop sharing' }).click();
    await expect.poll(() => pages.bob!.getByRole('figure', { name: 'Screen shared by Alice' }).count(), { timeout: 10_000 }).toBe(0);
  });
});

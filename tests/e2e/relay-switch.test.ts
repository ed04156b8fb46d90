import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { newParticipant } from '../support/browser';
import { freeUdpPort, useRelayAndBrowser } from '../support/e2e-harness';
import { audioPeak, createRoom, expectVideoFlowing, joinRoom, openChat, peerIds, sendChat, waitUntil } from '../support/room-actions';

const topology = (page: Page) => page.evaluate(() => window.confabDebug!.topology());

/**
 * Polls every page until all are in `want` mode with every tile's decoded frames rising between
 * two polls; returns ms from when the first page was seen switched.
 */
async function switchTimeMs(pages: Page[], want: 'mesh' | 'relay', peersEach: number): Promise<number> {
  let firstSwitchAt = 0;
  let previous: number[][] | null = null;
  await waitUntil(async () => {
    const states = await Promise.all(
      pages.map((page) =>
        page.evaluate(async () => {
          const d = window.confabDebug!;
          const frames = await Promise.all(d.peerIds().map((id) => d.framesDecoded(id)));
          return { topology: d.topology(), frames };
        }),
      ),
    );
    if (!firstSwitchAt && states.some((s) => s.topology === want)) firstSwitchAt = Date.now();
    const settled = states.every((s) => s.topology === want && s.frames.length === peersEach);
    const before = previous;
    previous = settled ? states.map((s) => s.frames) : null;
    return settled && before !== null && states.every((s, p) => s.frames.every((f, i) => f > before[p]![i]!));
  }, 30_000, `every page in ${want} mode with every tile decoding`);
  return Date.now() - firstSwitchAt;
}

async function expectEveryTileFlowing(pages: Record<string, Page>): Promise<void> {
  for (const page of Object.values(pages)) for (const id of await peerIds(page)) await expectVideoFlowing(page, id);
}

/** The fake microphones beep about once a second: listen in 3 s windows until everyone is heard. */
async function expectEveryoneHeard(pages: Record<string, Page>): Promise<void> {
  const pairs = (await Promise.all(Object.entries(pages).map(async ([name, page]) => (await peerIds(page)).map((id) => ({ name, page, id }))))).flat();
  await Promise.all(pairs.map(({ name, page, id }) => waitUntil(async () => (await audioPeak(page, id, 3_000)) > 0.01, 20_000, `${name} hears ${id}`)));
}

async function expectChatReaches(from: Page, to: Page[], text: string): Promise<void> {
  await sendChat(from, text);
  for (const page of to) {
    await openChat(page);
    await expect.poll(() => page.getByRole('listitem').filter({ hasText: text }).isVisible(), { timeout: 10_000 }).toBe(true);
  }
}

/**
 * Mesh up to --mesh-max people, the relay node above it: with the threshold at 2, a third
 * person moves the room to the relay and their leaving moves it back, without a reload, with
 * video and chat continuing. The relay node carries everyone on one UDP port (--udp-port).
 */
describe('mesh ⇄ relay switch in real Chromium', () => {
  let udpPort = 0;
  const h = useRelayAndBrowser(async () => ['--mesh-max', '2', '--udp-port', String((udpPort = await freeUdpPort()))]);
  const pages: Record<string, Page> = {};
  let link = '';

  it('two people stay a mesh', async () => {
    pages.alice = (await newParticipant(h.browser)).page;
    pages.bob = (await newParticipant(h.browser)).page;
    link = await createRoom(pages.alice, h.relay.url);
    await joinRoom(pages.alice, 'Alice');
    await joinRoom(pages.bob, 'Bob', link);
    for (const page of Object.values(pages)) await expect.poll(() => peerIds(page).then((ids) => ids.length), { timeout: 20_000 }).toBe(1);
    await expectEveryTileFlowing(pages);
    for (const page of Object.values(pages)) expect(await topology(page)).toBe('mesh');
  });

  it('a third person moves everyone to the relay; video, audio and chat go on', async () => {
    pages.carol = (await newParticipant(h.browser)).page;
    await joinRoom(pages.carol, 'Carol', link);
    const switchMs = await switchTimeMs(Object.values(pages), 'relay', 2);
    console.log(`[measure] mesh→relay: first page switched → all 3 pages decoding every tile through the relay in ${switchMs} ms`);
    await expectEveryTileFlowing(pages);
    await expectEveryoneHeard(pages);
    // The room document names the relay in use, on every page.
    const relayUrl = h.relay.url.replace(/^http/, 'ws') + 'relay';
    for (const page of Object.values(pages)) await expect.poll(() => page.evaluate(() => window.confabDebug!.relayChoice())).toBe(relayUrl);
    const metrics = await (await fetch(new URL('/metrics', h.relay.url))).text();
    expect(Number(/^confab_relay_participants (\d+)/m.exec(metrics)?.[1])).toBe(3);
    for (const page of Object.values(pages)) expect(await page.evaluate(() => window.confabDebug!.relayCandidatePorts())).toEqual([udpPort]);
    expect(Number(/^confab_relay_packets_out_total (\d+)/m.exec(metrics)?.[1])).toBeGreaterThan(0);
    // The relay carries the room state too (beside idle standby links in a room this small).
    const roomFrames = async () => Number(/^confab_relay_room_frames_out_total (\d+)/m.exec(await (await fetch(new URL('/metrics', h.relay.url))).text())?.[1]);
    const framesBefore = await roomFrames();
    await expectChatReaches(pages.alice!, [pages.bob!, pages.carol!], 'Through the relay now');
    expect(await roomFrames()).toBeGreaterThanOrEqual(framesBefore + 2);
  });

  it('a muted microphone sends almost nothing to the relay (Opus DTX)', async () => {
    const carol = pages.carol!;
    const rate = async () => {
      const sent = () => carol.evaluate(() => window.confabDebug!.relayAudioPacketsSent());
      const before = (await sent())!;
      await carol.waitForTimeout(3_000);
      return ((await sent())! - before) / 3;
    };
    const speaking = await rate();
    const mic = carol.getByRole('button', { name: 'Microphone' });
    await mic.click();
    await carol.waitForTimeout(1_000);
    const muted = await rate();
    await mic.click();
    console.log(`[measure] Carol's audio to the relay: ${speaking.toFixed(1)} packets/s speaking, ${muted.toFixed(1)} muted`);
    expect(speaking).toBeGreaterThan(30);
    expect(muted).toBeLessThan(15);
  });

  it('when the third leaves, the two go back to a mesh; video, audio and chat go on', async () => {
    await pages.carol!.getByRole('button', { name: 'Leave' }).click();
    delete pages.carol;
    const switchMs = await switchTimeMs(Object.values(pages), 'mesh', 1);
    console.log(`[measure] relay→mesh: first page switched → both pages decoding over the mesh in ${switchMs} ms`);
    // Frames counted from now on come over the mesh link (the relay link is closed).
    await expectEveryTileFlowing(pages);
    await expectEveryoneHeard(pages);
    for (const page of Object.values(pages)) await expect.poll(() => page.evaluate(() => window.confabDebug!.relayChoice())).toBeNull();
    await waitUntil(async () => {
      const metrics = await (await fetch(new URL('/metrics', h.relay.url))).text();
      return /^confab_relay_participants 0$/m.test(metrics);
    }, 10_000, 'everyone gone from the relay node');
    await expectChatReaches(pages.bob!, [pages.alice!], 'Back on the mesh');
  });
});

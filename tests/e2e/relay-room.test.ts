import { createHash } from 'node:crypto';
import { relayAccessFor } from '../../crdt/identity/relay-access';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { newParticipant } from '../support/browser';
import { useRelayAndBrowser } from '../support/e2e-harness';
import { createRoom, expectVideoFlowing, joinRoom, openChat, peerIds, sendChat, waitUntil } from '../support/room-actions';
import { startBots, type RoomOfBots } from '../load/harness';
import { loadRecording } from '../load/recording';
import { BOT_EPOCH, botEpochSecret, botSealer } from '../load/sealed-recording';
import { clearPrefixBytes, openFrame, sealedLabel } from '../../client/src/media/e2ee/frame-crypto';
import { linkOnlyFrameKey } from '../support/link-only-key';

const BROWSERS = ['Alice', 'Bob', 'Carol'];
const BOTS = 9;
const ROOM_SIZE = BROWSERS.length + BOTS;

/** What a hello shows of the link (crdt/relay-access.ts): bots join the browsers' room at the relay with it. */
function linkAccess(inviteLink: string) {
  const [, roomId, secret] = /#([\w-]{22})\.([\w-]{22})/.exec(inviteLink)!;
  return relayAccessFor(secret!, roomId!);
}

/** What the client says hello to the relay with: the room's signaling topic (PROTOCOL.md). */
function relayRoomKey(inviteLink: string): string {
  const roomId = /#([\w-]{22})\./.exec(inviteLink)![1]!;
  return createHash('sha256').update(`confab/room/v1/${roomId}`).digest('base64url');
}

async function metric(baseUrl: string, name: string): Promise<number> {
  const text = await (await fetch(new URL('/metrics', baseUrl))).text();
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
}

/**
 * A room of 12 through the relay node of the real `confab` process: 3 Chromium participants
 * and 9 Node bots publishing recorded VP8 + Opus. --mesh-max 2 so the browsers go to the relay
 * as soon as they are three (the bots are not on the signaling mesh; a browser learns of them
 * from the relay). Every browser shows 11 tiles and decodes every one of them.
 */
describe(`a room of ${ROOM_SIZE} through the relay node: ${BROWSERS.length} browsers + ${BOTS} bots`, () => {
  const h = useRelayAndBrowser(['--mesh-max', '2']);
  const pages: Page[] = [];
  let bots: RoomOfBots | undefined;
  let link = '';
  const botSecret = botEpochSecret();
  /** The bots are not members (no key package): pages are told their test epoch, as a tampered client could be. */
  const trustBots = (page: Page) =>
    page.evaluate(([epoch, secret, ids]) => window.confabDebug!.tamper!.trustTestSenders(epoch, secret, ids), [
      BOT_EPOCH,
      Buffer.from(botSecret).toString('base64url'),
      bots!.bots.map((b) => b.id),
    ] as const);

  beforeAll(async () => {
    for (const _ of BROWSERS) {
      const { page, context } = await newParticipant(h.browser);
      await context.addInitScript(() => localStorage.setItem('confab.testHooks', '1'));
      pages.push(page);
    }
    link = await createRoom(pages[0]!, h.relay.url);
    const relayUrl = h.relay.url.replace(/^http/, 'ws') + 'relay';
    // Bots seal their recorded frames under their own sender keys of a test epoch (media is end-to-end encrypted).
    bots = await startBots({ controlUrl: relayUrl }, botSealer(loadRecording(), botSecret), BOTS, {
      videoSlots: BROWSERS.length,
      audioSlots: 3,
      // Three bots talk louder than the browsers' beeps, a fourth quieter (never among the loudest), the rest are muted.
      audioLevel: (i) => [20, 30, 40, 80][i] ?? 127,
      room: relayRoomKey(link),
      access: await linkAccess(link),
      // One at a time: libdatachannel as an offerer stumbles when many handshakes overlap on
      // a busy machine (tests/load/bot.ts); browsers, the real offerers, are unaffected.
      startBatch: 1,
    });
  });
  afterAll(() => bots?.stop());

  it('browsers join, move to the relay, and show every publisher, bots included', async () => {
    const joinedAt = Date.now();
    await joinRoom(pages[0]!, BROWSERS[0]!);
    await Promise.all(pages.slice(1).map((page, i) => joinRoom(page, BROWSERS[i + 1]!, link)));
    for (const page of pages) await trustBots(page);
    for (const page of pages) {
      await expect.poll(() => page.evaluate(() => window.confabDebug!.topology()), { timeout: 30_000 }).toBe('relay');
      await expect.poll(() => peerIds(page).then((ids) => ids.length), { timeout: 30_000 }).toBe(ROOM_SIZE - 1);
    }
    // Bots watch the browsers at the low layer, as thumbnails.
    const browserIds = await Promise.all(pages.map((page) => page.evaluate(() => window.confabDebug!.selfId)));
    bots!.bots.forEach((bot) => browserIds.forEach((id, tile) => bot.subscribe(tile, id, 'low')));
    await expectVideoFlowing(pages[0]!, bots!.bots[BOTS - 1]!.id);
    console.log(`[measure] relay room of ${ROOM_SIZE}: first Join → Alice decoding the last bot's tile in ${Date.now() - joinedAt} ms`);
  });

  it('each browser decodes every tile it shows', async () => {
    for (const page of pages) for (const id of await peerIds(page)) await expectVideoFlowing(page, id);
    // What the browsers and bots receive, and what the relay spends on it (a measurement, not a target).
    const cpu0 = await metric(h.relay.url, 'process_cpu_seconds_total');
    const out0 = await metric(h.relay.url, 'confab_relay_packets_out_total');
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 5_000));
    const seconds = (Date.now() - t0) / 1000;
    const cpu = (await metric(h.relay.url, 'process_cpu_seconds_total')) - cpu0;
    const out = (await metric(h.relay.url, 'confab_relay_packets_out_total')) - out0;
    console.log(
      `[measure] relay room of ${ROOM_SIZE}: relay process ${((100 * cpu) / seconds).toFixed(1)}% of a core, ` +
        `${Math.round(out / seconds)} packets/s out, ${((cpu * 1e6) / Math.max(1, out)).toFixed(1)} µs of CPU per forwarded packet (signaling and HTTP included)`,
    );
    for (const bot of bots!.bots) for (const slot of bot.video) expect(slot.packets, `${bot.id} receives the browsers`).toBeGreaterThan(0);
  });

  it('chat reaches everyone through the relay alone: twelve people need no peer links', async () => {
    for (const page of pages) await expect.poll(() => page.evaluate(() => window.confabDebug!.meshLinks()), { timeout: 10_000 }).toBe(0);
    await sendChat(pages[1]!, 'Twelve of us now');
    for (const page of [pages[0]!, pages[2]!]) {
      await openChat(page);
      await expect.poll(() => page.getByRole('listitem').filter({ hasText: 'Twelve of us now' }).isVisible(), { timeout: 10_000 }).toBe(true);
    }
  });

  it('whom the relay ranks loudest is highlighted as speaking, and nobody shows as "Joining…"', async () => {
    const alice = pages[0]!;
    const speaking = alice.locator('figure[data-speaking="true"]');
    await expect.poll(() => speaking.count(), { timeout: 10_000 }).toBe(1);
    console.log(`[relay-room] Alice sees as speaking: ${await speaking.getAttribute('aria-label')} (${await speaking.getAttribute('data-peer-id')})`);
    expect(await alice.getByText('Joining…').count()).toBe(0);
  });

  it('speaker layout: the large tile gets the high layer, the filmstrip the low one', async () => {
    const alice = pages[0]!;
    const width = (id: string) => alice.evaluate((p) => window.confabDebug!.videoWidth(p), id);
    await alice.getByRole('button', { name: 'Speaker layout' }).click();
    const large = (await alice.locator('figure.tile-featured').getAttribute('data-peer-id'))!;
    const strip = (await peerIds(alice)).find((id) => id !== large && bots!.bots.some((b) => b.id === id))!;
    await expect.poll(() => width(large), { timeout: 15_000 }).toBe(640);
    await expect.poll(() => width(strip), { timeout: 15_000 }).toBe(160);
    await alice.getByRole('button', { name: 'Grid layout' }).click();
  });

  it('a page of tiles: only the people on it get video from the relay; the next page gets it in turn', async () => {
    const alice = pages[0]!;
    const rising = async (id: string) => {
      const before = await alice.evaluate((p) => window.confabDebug!.framesDecoded(p), id);
      await alice.waitForTimeout(1_500);
      return (await alice.evaluate((p) => window.confabDebug!.framesDecoded(p), id)) > before + 2;
    };
    const shownIds = () => alice.locator('.tile-slot:not(.off-page) figure').evaluateAll((fs) => fs.map((f) => f.getAttribute('data-peer-id')!));
    const out0 = await metric(h.relay.url, 'confab_relay_packets_out_total');
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 3_000));
    const allRate = ((await metric(h.relay.url, 'confab_relay_packets_out_total')) - out0) / ((Date.now() - t0) / 1000);
    await alice.setViewportSize({ width: 700, height: 560 }); // room for 4 tiles a page
    await alice.getByText(/^Page 1 of \d/).waitFor();
    const page1 = await shownIds();
    expect(page1.length).toBeLessThan(ROOM_SIZE - 1);
    const everyone = await peerIds(alice);
    const offPage = everyone.filter((id) => !page1.includes(id));
    await expect.poll(async () => (await Promise.all(offPage.map(rising))).some(Boolean), { timeout: 10_000 }).toBe(false);
    for (const id of page1) expect(await rising(id), `${id} on page 1 plays`).toBe(true);
    const out1 = await metric(h.relay.url, 'confab_relay_packets_out_total');
    const t1 = Date.now();
    await new Promise((r) => setTimeout(r, 3_000));
    const pagedRate = ((await metric(h.relay.url, 'confab_relay_packets_out_total')) - out1) / ((Date.now() - t1) / 1000);
    console.log(`[measure] relay packets out: ${Math.round(allRate)}/s with all 11 tiles on Alice's screen, ${Math.round(pagedRate)}/s with ${page1.length} a page`);
    await alice.getByRole('button', { name: 'Next page' }).click();
    const page2 = await shownIds();
    expect(page2.some((id) => page1.includes(id))).toBe(false);
    for (const id of page2) await waitUntil(() => rising(id), 10_000, `${id} on page 2 gets video`);
    await alice.setViewportSize({ width: 1280, height: 800 });
  });

  it('what the relay forwards is sealed: a tap holding the link opens nothing, and after a removal the removed person’s epoch opens nothing new', async () => {
    const aliceId = await pages[0]!.evaluate(() => window.confabDebug!.selfId);
    // Bot 0 watches Alice in slot 0: it is the tap, holding what the relay forwards.
    const tap = bots!.bots[0]!.video[0]!;
    tap.tapFrames = true;
    const tapped = async () => {
      tap.lastFrame = null;
      await expect.poll(() => tap.lastFrame !== null, { timeout: 10_000 }).toBe(true);
      const { bytes, keyFrame } = tap.lastFrame!;
      return { bytes, clear: clearPrefixBytes('video', keyFrame) };
    };
    const before = await tapped();
    const epochBefore = (await pages[0]!.evaluate(() => window.confabDebug!.e2ee())).sendEpoch!;
    expect(sealedLabel(before.bytes)?.keyId).toBe(epochBefore % 256);
    const fromLink = await linkOnlyFrameKey(link, epochBefore, aliceId);
    expect(await openFrame(fromLink, { epoch: epochBefore, senderId: aliceId }, before.bytes, before.clear), 'a key derived from the link opens nothing').toBeNull();

    // Carol holds the epoch of now; she can open Alice's frame (she is a member).
    const carolEpoch = await pages[2]!.evaluate(() => window.confabDebug!.e2ee());
    expect(carolEpoch.keyHolders).toContain(aliceId);
    // Alice (host) removes Carol; Alice and Bob move to an epoch Carol never gets.
    await pages[0]!.getByRole('button', { name: 'Your room', exact: true }).click();
    await pages[0]!.getByRole('button', { name: 'Remove Carol' }).click();
    await expect.poll(async () => (await pages[0]!.evaluate(() => window.confabDebug!.e2ee())).sendEpoch, { timeout: 10_000 }).toBeGreaterThan(epochBefore);
    const epochAfter = (await pages[0]!.evaluate(() => window.confabDebug!.e2ee())).sendEpoch!;
    await expect.poll(async () => sealedLabel((await tapped()).bytes)?.keyId, { timeout: 10_000 }).toBe(epochAfter % 256);
    const holders = (await pages[0]!.evaluate(() => window.confabDebug!.e2ee())).keyHolders;
    expect(holders).not.toContain(carolEpoch.keyHolders.find((id) => !holders.includes(id)) ?? 'nobody');
    expect(holders.length).toBe(carolEpoch.keyHolders.length - 1);
    await expectVideoFlowing(pages[1]!, aliceId);
  });

  it('a latecomer gets the chat history and the current media key through the relay, and links with nobody', async () => {
    const dave = (await newParticipant(h.browser)).page;
    const joinedAt = Date.now();
    await joinRoom(dave, 'Dave', link);
    let mostLinks = 0;
    await waitUntil(async () => {
      mostLinks = Math.max(mostLinks, await dave.evaluate(() => window.confabDebug!.meshLinks()));
      return (await dave.evaluate(() => window.confabDebug!.chatTexts())).includes('Twelve of us now');
    }, 30_000, 'the chat history at the latecomer');
    const historyMs = Date.now() - joinedAt;
    // Alice rotated the key when she removed Carol: Dave gets the new one from whoever the relay reaches.
    const aliceId = await pages[0]!.evaluate(() => window.confabDebug!.selfId);
    await expectVideoFlowing(dave, aliceId);
    expect((await dave.evaluate(() => window.confabDebug!.e2ee())).keyHolders).toContain(await dave.evaluate(() => window.confabDebug!.selfId));
    await expect.poll(() => dave.evaluate(() => window.confabDebug!.meshLinks()), { timeout: 15_000 }).toBe(0);
    console.log(`[measure] latecomer to a relay room: Join → chat history in ${historyMs} ms, → decoding Alice under the rotated key in ${Date.now() - joinedAt} ms; most peer links at once: ${mostLinks}`);
  });

  it('a pinned voice is heard though others are louder; unpinned, it goes', async () => {
    const alice = pages[0]!;
    const quiet = bots!.bots[3]!.id;
    const voices = () => alice.evaluate(() => window.confabDebug!.relayVoices());
    await expect.poll(voices, { timeout: 10_000 }).toEqual(expect.arrayContaining(bots!.bots.slice(0, 3).map((b) => b.id)));
    expect(await voices()).not.toContain(quiet);
    await alice.locator(`figure[data-peer-id="${quiet}"] .pin-btn`).first().click();
    const pinnedAt = Date.now();
    await expect.poll(voices, { timeout: 10_000 }).toContain(quiet);
    console.log(`[measure] pin → the quiet bot's voice in Alice's audio slots after ${Date.now() - pinnedAt} ms`);
    await alice.locator(`figure[data-peer-id="${quiet}"] .pin-btn`).first().click();
    await expect.poll(voices, { timeout: 10_000 }).not.toContain(quiet);
  });
});

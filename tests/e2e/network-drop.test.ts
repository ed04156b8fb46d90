import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, launchChromium, newParticipant } from '../support/browser';
import { createNetNamespace, netNamespaceUnsupported, type NetNamespace } from '../support/net-namespace';
import { startRelay, type RelayProcess } from '../support/relay-process';
import { createRoom, expectVideoFlowing, framesDecoded, joinRoom, openChat, peerIds, sendChat, waitUntil } from '../support/room-actions';

const OUTAGE_MS = 10_000;
/** The bound: media resumes within 5 s of the network coming back. */
const MEDIA_BACK_WITHIN_MS = 5_000;

const unsupported = netNamespaceUnsupported();
if (unsupported) console.warn(`SKIPPED: ${unsupported}`);

/** Decoded frames from `peerId` rise across a short window (same connection both samples). */
async function framesRising(page: Page, peerId: string): Promise<boolean> {
  const before = await framesDecoded(page, peerId);
  await page.waitForTimeout(300);
  return (await framesDecoded(page, peerId)) > before;
}

/**
 * Carol's browser runs in its own network namespace; the test pulls her cable (the veth link
 * goes down: no packet passes, WebRTC or signaling) for 10 s, then plugs it back in.
 */
describe.skipIf(unsupported)('one participant loses the network for 10 s', () => {
  let ns: NetNamespace;
  let relay: RelayProcess;
  let hostBrowser: Browser;
  let carolBrowser: Browser;
  const dataDir = mkdtempSync(join(tmpdir(), 'confab-data-'));

  beforeAll(async () => {
    ns = createNetNamespace();
    // The relay listens on the host end of the cable, so both sides reach it (HTTPS: not loopback).
    relay = await startRelay({ args: ['--host', ns.hostIp, '--data-dir', dataDir] });
    hostBrowser = await launchChromium();
    carolBrowser = await chromium.launch({ executablePath: ns.chromiumPath, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await carolBrowser?.close();
    await hostBrowser?.close();
    await relay?.stop();
    ns?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('her tile says Reconnecting…, she comes back, media flows both ways and chat arrives', async () => {
    const participant = async (browser: Browser) => (await newParticipant(browser, { acceptSelfSignedCertificate: true })).page;
    const alice = await participant(hostBrowser);
    const bob = await participant(hostBrowser);
    const carol = await participant(carolBrowser);
    const link = await createRoom(alice, relay.url);
    await joinRoom(alice, 'Alice');
    await joinRoom(bob, 'Bob', link);
    await joinRoom(carol, 'Carol', link);
    const everyone = { alice, bob, carol };
    for (const page of Object.values(everyone)) {
      await waitUntil(async () => (await peerIds(page)).length === 2, 30_000, 'three-way mesh');
      for (const id of await peerIds(page)) await expectVideoFlowing(page, id);
    }
    const carolId = await carol.evaluate(() => window.confabDebug!.selfId);
    const othersOfCarol = await peerIds(carol);

    ns.cut();
    const cutAt = Date.now();
    // While she is away: her tile stays, saying so; the others go on chatting.
    const carolTile = alice.getByRole('figure', { name: 'Carol' });
    await carolTile.getByText('Reconnecting…').waitFor({ timeout: OUTAGE_MS });
    console.log(`[network-drop] "Reconnecting…" shown ${Date.now() - cutAt} ms after the cut`);
    await sendChat(alice, 'written while Carol was offline');
    await sendChat(carol, 'Carol typed this offline');
    while (Date.now() - cutAt < OUTAGE_MS) {
      expect(await peerIds(alice), 'Carol never vanishes from Alice').toContain(carolId);
      expect(await carolTile.count()).toBe(1);
      await alice.waitForTimeout(250);
    }

    ns.restore();
    const restoredAt = Date.now();
    const flows: [Page, string, string][] = [
      [alice, carolId, 'alice ← carol'],
      [bob, carolId, 'bob ← carol'],
      ...othersOfCarol.map((id): [Page, string, string] => [carol, id, `carol ← ${id}`]),
    ];
    const backAfterMs = await Promise.all(
      flows.map(async ([page, id, what]) => {
        await waitUntil(() => framesRising(page, id), 30_000, `video ${what} after the network is back`);
        const ms = Date.now() - restoredAt;
        console.log(`[network-drop] video ${what} flowing ${ms} ms after the network came back`);
        return ms;
      }),
    );
    await carolTile.getByText('Reconnecting…').waitFor({ state: 'hidden', timeout: 10_000 });
    await openChat(carol);
    await carol.getByText('written while Carol was offline').waitFor({ timeout: 20_000 });
    await openChat(bob);
    await bob.getByText('Carol typed this offline').waitFor({ timeout: 20_000 });
    console.log(`[network-drop] chat in both directions ${Date.now() - restoredAt} ms after the network came back`);
    for (const ms of backAfterMs) expect(ms).toBeLessThanOrEqual(MEDIA_BACK_WITHIN_MS);
    expect(await alice.getByRole('figure', { name: 'Carol' }).count()).toBe(1);
    expect(await carol.getByRole('figure', { name: 'Alice' }).count()).toBe(1);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS, newParticipant } from '../support/browser';
import { useRelayAndBrowser } from '../support/e2e-harness';
import { createNetNamespace, netNamespaceUnsupported, type NetNamespace } from '../support/net-namespace';
import { createRoom, joinRoom } from '../support/room-actions';

const unsupported = netNamespaceUnsupported();
if (unsupported) console.warn(`SKIPPED: ${unsupported}`);

/**
 * Udo's browser sits in a network namespace with no cable: the only way out is the web page's
 * own TCP port, forwarded to the relay (like a network that lets only web traffic through a
 * proxy). No UDP packet, so no ICE candidate pair, can ever work between him and Alice: both
 * must be told so on the tile instead of a spinner or an empty room.
 */
describe.skipIf(unsupported)('a peer that cannot be reached over UDP at all', () => {
  const h = useRelayAndBrowser();
  let ns: NetNamespace;
  let blocked: Browser;
  beforeAll(async () => {
    ns = createNetNamespace({ cable: false });
    await ns.forwardTcp(Number(new URL(h.relay.url).port));
    blocked = await chromium.launch({ executablePath: ns.chromiumPath, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await blocked?.close();
    ns?.dispose();
  });

  it('both tiles say "Can\'t reach … — your networks may block calls; try another network"', async () => {
    const alice = (await newParticipant(h.browser)).page;
    const udo = (await newParticipant(blocked)).page;
    const link = await createRoom(alice, h.relay.url);
    await joinRoom(alice, 'Alice');
    const started = Date.now();
    await joinRoom(udo, 'Udo', link);
    const hint = /^Can't reach .+ — your networks may block calls; try another network$/;
    for (const [who, page] of [['alice', alice], ['udo', udo]] as const) {
      const status = page.locator('.tile-status').filter({ hasText: hint });
      await status.waitFor({ timeout: 40_000 });
      console.log(`[udp-blocked] ${who} sees "${await status.textContent()}" ${Date.now() - started} ms after Udo joined`);
    }
    expect(await alice.getByText('Waiting for others').count()).toBe(0);
    expect(await udo.getByText('Waiting for others').count()).toBe(0);
  });
});

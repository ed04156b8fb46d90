import { describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { newParticipant } from '../support/browser';
import { useRelayAndBrowser } from '../support/e2e-harness';
import { createRoom, joinRoom, peerIds, sendChat, waitUntil } from '../support/room-actions';

/** The page talks to its own origin and nothing else: no CDN, font, analytics or STUN host. */
describe('requests the client makes', () => {
  const h = useRelayAndBrowser();

  function recordRequests(context: BrowserContext): string[] {
    const urls: string[] = [];
    context.on('request', (request) => urls.push(request.url()));
    for (const page of context.pages()) page.on('websocket', (ws) => urls.push(ws.url()));
    return urls;
  }

  it('create, join, call, chat and leave reach only the page’s own origin', async () => {
    const alice = await newParticipant(h.browser);
    const bob = await newParticipant(h.browser);
    const seen = [alice, bob].map((p) => recordRequests(p.context));

    const link = await createRoom(alice.page, h.relay.url);
    await joinRoom(alice.page, 'Alice');
    await joinRoom(bob.page, 'Bob', link);
    await waitUntil(async () => (await peerIds(bob.page)).length === 1, 20_000, 'call connected');
    await sendChat(bob.page, 'anyone listening in?');
    // No STUN/TURN server is configured: only host candidates, nothing leaves the network.
    const [aliceSeesBob] = await peerIds(alice.page);
    expect(await alice.page.evaluate((id) => window.confabDebug!.iceServerCount(id), aliceSeesBob!)).toBe(0);
    await alice.page.getByRole('button', { name: 'Your room', exact: true }).click();
    await bob.page.getByRole('button', { name: 'Leave' }).click();
    await bob.page.getByText('You left the room').waitFor();

    const origin = new URL(h.relay.url);
    const all = seen.flat();
    expect(all.some((u) => u.startsWith('ws://'))).toBe(true);
    for (const url of all) {
      const u = new URL(url);
      const sameOrigin = u.host === origin.host && ['http:', 'ws:'].includes(u.protocol);
      expect(sameOrigin || u.protocol === 'data:' || u.protocol === 'blob:', url).toBe(true);
    }
  });
});

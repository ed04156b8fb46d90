import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { newParticipant } from '../support/browser';
import { useRelayAndBrowser } from '../support/e2e-harness';
import { createRoom, joinRoom, peerIds, sendChat, waitUntil } from '../support/room-actions';

/** Every frame each page sends to or receives from the signaling relay, as the wire carries it. */
function recordSignalingFrames(page: Page): string[] {
  const frames: string[] = [];
  page.on('websocket', (ws) => {
    ws.on('framesent', ({ payload }) => frames.push(String(payload)));
    ws.on('framereceived', ({ payload }) => frames.push(String(payload)));
  });
  return frames;
}

const TOPIC = /^[\w-]{43}$/;
const CIPHERTEXT = /^[\w-]{40,}$/;

/** Principle 2: the signaling relay sees hashed topics and ciphertext, never a name, an SDP or the secret. */
describe('what the signaling relay sees', () => {
  const h = useRelayAndBrowser();

  it('only hashed topics and AES-GCM ciphertext: no names, peer ids, keys, SDP, candidates or room secret', async () => {
    const alice = (await newParticipant(h.browser)).page;
    const bob = (await newParticipant(h.browser)).page;
    const frames = [...[alice, bob].map(recordSignalingFrames)];
    const link = await createRoom(alice, h.relay.url);
    await joinRoom(alice, 'Alice Privacy');
    await joinRoom(bob, 'Bob Privacy', link);
    await waitUntil(async () => (await peerIds(alice)).length === 1, 20_000, 'call connected');
    await sendChat(bob, 'nobody in the middle reads this');
    await alice.getByRole('button', { name: 'Your room', exact: true }).click();
    await alice.getByRole('button', { name: 'Lock room' }).click();

    const [roomId, secret] = new URL(link).hash.slice(1).split('.') as [string, string];
    const secrets = [
      roomId,
      secret,
      'Alice Privacy',
      'Bob Privacy',
      'nobody in the middle',
      await alice.evaluate(() => window.confabDebug!.selfId),
      await bob.evaluate(() => window.confabDebug!.selfId),
      'v=0',
      'fingerprint',
      'candidate',
      'announce',
      'description',
    ];
    const all = frames.flat();
    expect(all.length).toBeGreaterThan(6);
    let published = 0;
    for (const text of all) {
      for (const s of secrets) expect(text.includes(s), `frame leaks "${s}": ${text.slice(0, 120)}`).toBe(false);
      const frame = JSON.parse(text) as { type: string; topic?: string; topics?: string[]; data?: unknown };
      expect(['subscribe', 'unsubscribe', 'publish', 'ping', 'pong', 'welcome']).toContain(frame.type);
      for (const topic of frame.topics ?? (frame.topic ? [frame.topic] : [])) expect(topic).toMatch(TOPIC);
      if (frame.type === 'publish') {
        published++;
        expect(frame.data).toMatch(CIPHERTEXT);
      }
    }
    expect(published).toBeGreaterThan(4);
  });
});

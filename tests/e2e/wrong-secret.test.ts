import { describe, expect, it } from 'vitest';
import { newParticipant } from '../support/browser';
import { useRelayAndBrowser } from '../support/e2e-harness';
import { joinRoom, peerIds, twoPersonCall } from '../support/room-actions';

/** A link with the right room id but the wrong secret must say so, not wait forever. */
describe('a link with the wrong room secret', () => {
  const h = useRelayAndBrowser();

  it('says "This link is not valid or the room has ended"; the people in the room see nothing change', async () => {
    const { alice, bob, link } = await twoPersonCall(async () => (await newParticipant(h.browser)).page, h.relay.url);
    // Same room id, another secret of the same shape (22 base64url characters).
    const [base, hash] = link.split('#') as [string, string];
    const [roomId, secret] = hash.split('.') as [string, string];
    const wrong = `${base}#${roomId}.${secret.startsWith('A') ? 'B' : 'A'}${secret.slice(1)}`;
    const eve = (await newParticipant(h.browser)).page;
    const started = Date.now();
    await joinRoom(eve, 'Eve', wrong);
    await eve.getByRole('heading', { name: 'This link is not valid or the room has ended' }).waitFor({ timeout: 20_000 });
    console.log(`[wrong-secret] message shown ${Date.now() - started} ms after Join`);
    expect(await eve.getByText('Waiting for others').count()).toBe(0);
    expect(await peerIds(eve)).toEqual([]);
    for (const page of [alice, bob]) {
      expect(await peerIds(page)).toHaveLength(1);
      expect(await page.getByText('This link is not valid').count()).toBe(0);
    }
  });
});

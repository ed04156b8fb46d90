import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { newParticipant } from '../support/browser';
import { useRelayAndBrowser } from '../support/e2e-harness';
import { startRelay } from '../support/relay-process';
import { createRoom, expectVideoFlowing, framesDecoded, joinRoom, openChat, peerIds, sendChat, waitUntil } from '../support/room-actions';

const topology = (page: Page) => page.evaluate(() => window.confabDebug!.topology());

async function framesRise(page: Page, peerId: string): Promise<boolean> {
  const before = await framesDecoded(page, peerId);
  await page.waitForTimeout(500);
  return (await framesDecoded(page, peerId)) > before + 2;
}

/**
 * The relay node dies mid-call (SIGKILL: no goodbye to anyone). The room falls back to the
 * mesh it still has (idle peer links stay beside a relay in a room this small), media and chat
 * go on (video only from whoever speaks: the room is above the mesh threshold), and once the
 * process is back the room returns to the relay.
 */
describe('relay node crash in relay mode', () => {
  const h = useRelayAndBrowser(['--mesh-max', '2']);

  it('the room falls back to a mesh within seconds, nothing written is lost, and returns to the relay when it is back', async () => {
    // A retry after a failure midway finds the relay killed: start it again.
    if (h.relay.process.exitCode !== null || h.relay.process.signalCode !== null) h.relay = await startRelay({ args: ['--mesh-max', '2'] });
    const pages: Page[] = [];
    for (let i = 0; i < 3; i++) pages.push((await newParticipant(h.browser)).page);
    const [alice, bob, carol] = pages as [Page, Page, Page];
    const link = await createRoom(alice, h.relay.url);
    await joinRoom(alice, 'Alice');
    await joinRoom(bob, 'Bob', link);
    await joinRoom(carol, 'Carol', link);
    for (const page of pages) await expect.poll(() => topology(page), { timeout: 30_000 }).toBe('relay');
    for (const page of pages) for (const id of await peerIds(page)) await expectVideoFlowing(page, id);

    const port = Number(new URL(h.relay.url).port);
    h.relay.process.kill('SIGKILL');
    const killedAt = Date.now();
    await sendChat(bob, 'written while the relay node was down');
    await waitUntil(async () => (await Promise.all(pages.map(topology))).every((t) => t === 'mesh'), 15_000, 'every page back on the mesh');
    console.log(`[measure] relay node killed → every page on the mesh: ${Date.now() - killedAt} ms`);
    await alice.getByText('The relay node can’t be reached').waitFor({ timeout: 5_000 });
    for (const page of pages) for (const id of await peerIds(page)) await expectVideoFlowing(page, id);
    console.log(`[measure] relay node killed → every tile decoding over the mesh: ${Date.now() - killedAt} ms`);
    for (const page of [alice, carol]) {
      await openChat(page);
      await page.getByText('written while the relay node was down').waitFor({ timeout: 10_000 });
    }

    // Above the mesh threshold with no relay: audio from everyone, video only from whoever speaks.
    const [bobId, carolId] = await Promise.all([bob, carol].map((p) => p.evaluate(() => window.confabDebug!.selfId)));
    const carolMic = carol.getByRole('button', { name: 'Microphone' });
    await carolMic.click();
    const mutedAt = Date.now();
    await waitUntil(async () => !(await framesRise(alice, carolId!)), 10_000, "Carol's video held while she is silent");
    console.log(`[measure] degraded mesh: Carol muted → her video held at Alice after ${Date.now() - mutedAt} ms`);
    // Bob's microphone beeps: his video comes while he "speaks".
    await waitUntil(() => framesRise(alice, bobId!), 10_000, "Bob's video while he speaks");
    await carolMic.click();
    const unmutedAt = Date.now();
    await waitUntil(() => framesRise(alice, carolId!), 10_000, "Carol's video back once she speaks");
    console.log(`[measure] degraded mesh: Carol speaks again → her video at Alice after ${Date.now() - unmutedAt} ms`);

    h.relay = await startRelay({ port, args: ['--mesh-max', '2'] });
    const backAt = Date.now();
    // Timed, not bounded: the issue bounds the fall back to the mesh, not the return. Each page
    // retries on its own clock (a try while the relay was still down waits out a cooldown), and
    // a page still in the degraded mesh sends video only while it speaks, so wait until every
    // page's media goes through the relay before looking at frames.
    for (const page of pages) await waitUntil(async () => (await page.evaluate(() => window.confabDebug!.relayInUse())) !== null, 60_000, 'every page on the relay again');
    for (const page of pages) for (const id of await peerIds(page)) await waitUntil(() => framesRise(page, id), 30_000, `${id} through the relay again`);
    expect(await alice.getByText('The relay node can’t be reached').count()).toBe(0);
    console.log(`[measure] relay node restarted → every page decoding through it again: ${Date.now() - backAt} ms`);
  });
});

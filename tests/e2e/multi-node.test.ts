import { Redis } from 'ioredis';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { launchChromium, newParticipant } from '../support/browser';
import { startRedis, type RedisProcess } from '../support/redis-process';
import { startRelay, type RelayProcess } from '../support/relay-process';
import { audioPeak, createRoom, joinRoom, openChat, peerIds, sendChat, waitUntil } from '../support/room-actions';
import { expectTilePlaying } from '../support/tile-video';

/** `confab_relay_participants` from a node's /metrics. */
async function relayParticipants(node: RelayProcess): Promise<number> {
  const text = await (await fetch(new URL('/metrics', node.url))).text();
  return Number(/^confab_relay_participants (\d+)$/m.exec(text)![1]);
}

/** The node a room's relay is recorded on in Redis (relay/cluster/placement.ts), as a port, and its room key. */
async function placedOn(redis: Redis): Promise<{ port: string | null; rooms: number }> {
  const rooms = await redis.keys('confab:room:*');
  if (rooms.length !== 1) return { port: null, rooms: rooms.length };
  const nodeId = await redis.get(rooms[0]!);
  const report = nodeId ? await redis.get(`confab:node:${nodeId}`) : null;
  return { port: report ? new URL((JSON.parse(report) as { relayUrl: string }).relayUrl).port : null, rooms: 1 };
}
const portOf = (node: RelayProcess) => new URL(node.url).port;
const topology = (page: Page) => page.evaluate(() => window.confabDebug!.topology());

/**
 * Two Confab nodes sharing a real redis-server: Alice's page comes from node 1, Bob's and
 * Carol's from node 2, one room link. The mesh limit is 2, so Carol's arrival moves the room
 * to a relay node, placed on one node for everyone; killing that node places it again.
 */
describe('two Confab nodes on one Redis', { timeout: 300_000 }, () => {
  let redis: RedisProcess;
  let node1: RelayProcess;
  let node2: RelayProcess;
  let browser: Browser;
  let busy: WebSocket;
  let client: Redis;
  const pages: Record<'alice' | 'bob' | 'carol', Page> = {} as never;

  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
    const nodes = await Promise.all([0, 1].map(() => startRelay({ args: ['--redis', redis.url, '--mesh-max', '2'] })));
    node1 = nodes[0]!;
    node2 = nodes[1]!;
    // An idle socket makes node 2 the busier one, so the room's relay is placed on node 1.
    busy = new WebSocket(new URL('/signal', node2!.url.replace('http', 'ws')));
    await new Promise((resolve) => busy.once('open', resolve));
    browser = await launchChromium();
  });
  afterAll(async () => {
    busy?.close();
    client?.disconnect();
    await browser?.close();
    await Promise.all([node1?.stop(), node2?.stop()]);
    await redis?.stop();
  });

  it('Alice on node 1, Bob and Carol on node 2: everyone sees and hears everyone, all through node 1’s relay', async () => {
    for (const name of ['alice', 'bob', 'carol'] as const) pages[name] = (await newParticipant(browser)).page;
    const link = await createRoom(pages.alice, node1.url);
    await joinRoom(pages.alice, 'Alice');
    const linkOnNode2 = new URL(new URL(link).hash, node2.url).href;
    await joinRoom(pages.bob, 'Bob', linkOnNode2);
    await waitUntil(async () => (await peerIds(pages.alice)).length === 1, 30_000, 'Alice (node 1) and Bob (node 2) connected');
    await joinRoom(pages.carol, 'Carol', linkOnNode2);
    // Three people, mesh limit 2: the room's relay, on node 1 for all three pages.
    await expect.poll(() => relayParticipants(node1), { timeout: 60_000, interval: 500 }).toBe(3);
    expect(await relayParticipants(node2)).toBe(0);
    expect(await placedOn(client)).toEqual({ port: portOf(node1), rooms: 1 });
    for (const page of Object.values(pages)) await expect.poll(() => topology(page), { timeout: 20_000 }).toBe('relay');
    const names = { alice: 'Alice', bob: 'Bob', carol: 'Carol' };
    for (const [viewer, page] of Object.entries(pages)) {
      for (const [other, name] of Object.entries(names)) if (other !== viewer) await expectTilePlaying(page, name, names[viewer as keyof typeof names]);
    }
    const pairs = (await Promise.all(Object.entries(pages).map(async ([name, page]) => (await peerIds(page)).map((id) => ({ name, page, id }))))).flat();
    expect(pairs).toHaveLength(6);
    await Promise.all(pairs.map(({ name, page, id }) => waitUntil(async () => (await audioPeak(page, id, 3_000)) > 0.01, 30_000, `${name} hears ${id}`)));
  });

  it('node 1 dies: the room is placed again on node 2, Bob and Carol see each other again and keep their chat', async () => {
    await sendChat(pages.bob, 'before node 1 died');
    await openChat(pages.carol); // chat text is shown only with the panel open
    await pages.carol.getByText('before node 1 died').waitFor({ timeout: 20_000 });
    node1.process.kill('SIGKILL');
    await expect.poll(() => relayParticipants(node2), { timeout: 90_000, interval: 1_000 }).toBe(2);
    expect(await placedOn(client)).toEqual({ port: portOf(node2), rooms: 1 });
    for (const page of [pages.bob, pages.carol]) expect(await topology(page)).toBe('relay');
    await expectTilePlaying(pages.bob, 'Carol', 'Bob');
    await expectTilePlaying(pages.carol, 'Bob', 'Carol');
    const [bobId, carolId] = await Promise.all([pages.bob, pages.carol].map((p) => p.evaluate(() => window.confabDebug!.selfId)));
    await waitUntil(async () => (await audioPeak(pages.bob, carolId!, 3_000)) > 0.01, 30_000, 'Bob hears Carol through node 2');
    await waitUntil(async () => (await audioPeak(pages.carol, bobId!, 3_000)) > 0.01, 30_000, 'Carol hears Bob through node 2');
    await sendChat(pages.carol, 'after node 1 died');
    await pages.bob.getByText('after node 1 died').waitFor({ timeout: 20_000 });
    expect(await pages.carol.getByText('before node 1 died').count()).toBeGreaterThan(0);
  });
});

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { NodeReport } from '../../relay/cluster/placement';
import { startRedis, type RedisProcess } from '../support/redis-process';
import { startRelay, type RelayProcess } from '../support/relay-process';

/** An open WebSocket and every frame it received, parsed. */
async function open(url: string): Promise<{ ws: WebSocket; frames: Record<string, unknown>[] }> {
  const ws = new WebSocket(url);
  const frames: Record<string, unknown>[] = [];
  ws.on('message', (m) => frames.push(JSON.parse(m.toString()) as Record<string, unknown>));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return { ws, frames };
}
const wsUrl = (node: RelayProcess, path: string) => new URL(path, node.url.replace('http', 'ws')).href;
const publishes = (frames: Record<string, unknown>[]) => frames.filter((f) => f.type === 'publish');

/**
 * Two real nodes (`confab --redis`) and a real redis-server, without browsers: signaling frames
 * cross nodes, a room's relay sockets all reach the node Redis records for it, a dead node's
 * room is placed again, and with Redis gone a node still serves its own sockets.
 */
describe('a cluster of two nodes on Redis', () => {
  let redis: RedisProcess;
  let client: Redis;
  let nodes: RelayProcess[] = [];
  const reports = async (): Promise<NodeReport[]> => {
    const keys = await client.keys('confab:node:*');
    return keys.length === 0 ? [] : (await client.mget(keys)).flatMap((v) => (v ? [JSON.parse(v) as NodeReport] : []));
  };
  /** The node whose relay URL has this process's port. */
  const reportOf = async (node: RelayProcess) => (await reports()).find((r) => new URL(r.relayUrl).port === new URL(node.url).port);

  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
    client.on('error', () => undefined); // the last test stops Redis on purpose
    nodes = await Promise.all([0, 1].map(() => startRelay({ args: ['--redis', redis.url] })));
  });
  afterAll(async () => {
    client?.disconnect();
    await Promise.all(nodes.map((n) => n.stop()));
    await redis?.stop();
  });

  it('a frame published on one node reaches the topic’s subscribers on the other, once, both ways and directed', async () => {
    const [n1, n2] = nodes as [RelayProcess, RelayProcess];
    const a = await open(wsUrl(n1, '/signal'));
    const b = await open(wsUrl(n2, '/signal'));
    const c = await open(wsUrl(n2, '/signal'));
    a.ws.send(JSON.stringify({ type: 'subscribe', topics: ['room-topic', 'a-own-topic'] }));
    b.ws.send(JSON.stringify({ type: 'subscribe', topics: ['room-topic'] }));
    // Subscriptions travel to Redis asynchronously: publish until the first one crosses.
    await expect.poll(() => {
      a.ws.send(JSON.stringify({ type: 'publish', topic: 'room-topic', data: 'from-a' }));
      return publishes(b.frames).length;
    }, { timeout: 10_000, interval: 200 }).toBeGreaterThan(0);
    b.ws.send(JSON.stringify({ type: 'publish', topic: 'room-topic', data: 'from-b' }));
    c.ws.send(JSON.stringify({ type: 'publish', topic: 'a-own-topic', data: 'to-a-only' })); // c is not subscribed
    await expect.poll(() => publishes(a.frames).map((f) => f.data), { timeout: 10_000 }).toEqual(['from-b', 'to-a-only']);
    await new Promise((r) => setTimeout(r, 500));
    expect(publishes(a.frames).map((f) => f.data)).toEqual(['from-b', 'to-a-only']); // no echo, no duplicates
    expect(publishes(b.frames).every((f) => f.data === 'from-a' && f.topic === 'room-topic')).toBe(true);
    expect(publishes(c.frames)).toEqual([]);
    for (const s of [a, b, c]) s.ws.close();
  });

  it('a room’s relay sockets go to the one node recorded for it, whichever node they reach; a dead node’s room is placed again', async () => {
    const [n1, n2] = nodes as [RelayProcess, RelayProcess];
    const first = await open(`${wsUrl(n1, '/relay')}?room=room-one`);
    await expect.poll(() => first.frames[0]?.type, { timeout: 10_000 }).toBe('welcome');
    const holderId = await client.get('confab:room:room-one');
    const holder = (await reportOf(n1))!.id === holderId ? n1 : n2;
    const other = holder === n1 ? n2 : n1;
    expect([(await reportOf(n1))!.id, (await reportOf(n2))!.id]).toContain(holderId);
    // Through the other node: a pipe to the holder, which reports the room; the other does not.
    const second = await open(`${wsUrl(other, '/relay')}?room=room-one`);
    await expect.poll(() => second.frames[0]?.type, { timeout: 10_000 }).toBe('welcome');
    await expect.poll(async () => (await reportOf(holder))?.rooms, { timeout: 5_000 }).toEqual(['room-one']);
    expect((await reportOf(other))!.rooms).toEqual([]);
    expect(await client.get('confab:room:room-one')).toBe(holderId);

    holder.process.kill('SIGKILL');
    await expect.poll(() => second.ws.readyState, { timeout: 10_000 }).toBe(WebSocket.CLOSED);
    // A page retrying reaches the survivor, which cannot reach the holder and places the room on itself.
    const again = await open(`${wsUrl(other, '/relay')}?room=room-one`);
    await expect.poll(() => again.frames[0]?.type, { timeout: 15_000 }).toBe('welcome');
    expect(await client.get('confab:room:room-one')).toBe((await reportOf(other))!.id);
    again.ws.close();
    nodes = [other];
  });

  it('with Redis gone, a node still serves relay sockets and signaling itself', async () => {
    const [survivor] = nodes as [RelayProcess];
    await redis.stop();
    const relay = await open(`${wsUrl(survivor, '/relay')}?room=room-two`);
    await expect.poll(() => relay.frames[0]?.type, { timeout: 30_000 }).toBe('welcome');
    const a = await open(wsUrl(survivor, '/signal'));
    const b = await open(wsUrl(survivor, '/signal'));
    for (const s of [a, b]) s.ws.send(JSON.stringify({ type: 'subscribe', topics: ['local-topic'] }));
    await new Promise((r) => setTimeout(r, 200));
    a.ws.send(JSON.stringify({ type: 'publish', topic: 'local-topic', data: 'still here' }));
    await expect.poll(() => publishes(b.frames).map((f) => f.data), { timeout: 10_000 }).toEqual(['still here']);
    expect(survivor.process.exitCode).toBeNull();
    for (const s of [relay, a, b]) s.ws.close();
  });
});

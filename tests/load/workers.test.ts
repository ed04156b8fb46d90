import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { NodeReport } from '../../relay/cluster/placement';
import { startRedis, type RedisProcess } from '../support/redis-process';
import { startRelay, type RelayProcess } from '../support/relay-process';

/** An open WebSocket and every frame it received, parsed. */
async function open(url: string): Promise<{ ws: WebSocket; frames: Record<string, unknown>[]; closed: () => boolean }> {
  const ws = new WebSocket(url);
  const frames: Record<string, unknown>[] = [];
  let closed = false;
  ws.on('message', (m) => frames.push(JSON.parse(m.toString()) as Record<string, unknown>));
  ws.on('close', () => (closed = true));
  ws.on('error', () => undefined);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return { ws, frames, closed: () => closed };
}
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * `confab --workers 2 --redis …` (relay/workers.ts): two processes on one port, sharing rooms
 * through a real redis-server as nodes on two boxes do. No browsers: signaling frames cross the
 * workers, a room's relay sockets all reach the one worker Redis records, a killed worker is
 * started again and its room placed again, SIGTERM stops them all.
 */
describe('confab --workers 2 on one Redis', () => {
  let redis: RedisProcess;
  let client: Redis;
  let server: RelayProcess;
  const wsUrl = (path: string) => new URL(path, server.url.replace('http', 'ws')).href;
  const reports = async (): Promise<NodeReport[]> => {
    const keys = await client.keys('confab:node:*');
    return keys.length === 0 ? [] : (await client.mget(keys)).flatMap((v) => (v ? [JSON.parse(v) as NodeReport] : []));
  };
  /** The pid of the worker that runs cluster node `id`, from the JSON log lines (the latest start of each worker). */
  const pidOf = (id: string): number => {
    const lines = server.output().split('\n').flatMap((l) => (l.startsWith('{') ? [JSON.parse(l) as Record<string, unknown>] : []));
    const worker = lines.findLast((l) => l.msg === 'cluster node' && l.node === id)?.worker;
    return lines.findLast((l) => l.msg === 'worker listening' && l.worker === worker)!.pid as number;
  };

  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
    server = await startRelay({ args: ['--workers', '2', '--redis', redis.url] });
  });
  afterAll(async () => {
    client?.disconnect();
    await server?.stop();
    await redis?.stop();
  });

  it('two workers on one port, each in Redis with a private port for the other’s relay sockets; signaling crosses them', async () => {
    const publicPort = new URL(server.url).port;
    await expect.poll(async () => (await reports()).length, { timeout: 10_000 }).toBe(2);
    const ports = (await reports()).map((r) => new URL(r.relayUrl).port);
    expect(new Set(ports).size).toBe(2);
    expect(ports).not.toContain(publicPort);

    const sockets = await Promise.all(Array.from({ length: 6 }, () => open(wsUrl('/signal'))));
    for (const s of sockets) s.ws.send(JSON.stringify({ type: 'subscribe', topics: ['room-topic'] }));
    // node:cluster hands connections out in turn: both workers hold some (load counts sockets).
    await expect.poll(async () => (await reports()).map((r) => r.load > 0), { timeout: 10_000 }).toEqual([true, true]);
    await new Promise((r) => setTimeout(r, 1_000)); // subscriptions reach Redis asynchronously
    sockets.forEach((s, i) => s.ws.send(JSON.stringify({ type: 'publish', topic: 'room-topic', data: `from-${i}` })));
    const heard = (i: number) => sockets[i]!.frames.filter((f) => f.type === 'publish').map((f) => f.data as string).sort();
    for (let i = 0; i < sockets.length; i++) {
      const others = sockets.map((_, j) => `from-${j}`).filter((d) => d !== `from-${i}`).sort();
      await expect.poll(() => heard(i), { timeout: 10_000 }).toEqual(others);
    }
    await new Promise((r) => setTimeout(r, 500));
    for (let i = 0; i < sockets.length; i++) expect(heard(i)).toHaveLength(sockets.length - 1); // once each, no echo
    for (const s of sockets) s.ws.close();
  });

  it('a room’s relay sockets all reach one worker; that worker killed is started again and the room placed again', async () => {
    const relays = await Promise.all(Array.from({ length: 4 }, () => open(`${wsUrl('/relay')}?room=room-one`)));
    for (const r of relays) await expect.poll(() => r.frames[0]?.type, { timeout: 10_000 }).toBe('welcome');
    await expect.poll(async () => (await reports()).map((r) => r.rooms.length).sort(), { timeout: 5_000 }).toEqual([0, 1]);
    const holderId = (await client.get('confab:room:room-one'))!;
    expect((await reports()).find((r) => r.rooms.includes('room-one'))!.id).toBe(holderId);
    const holderPid = pidOf(holderId);

    process.kill(holderPid, 'SIGKILL');
    // Every socket of the room ends: served by the dead worker, or piped to it.
    for (const r of relays) await expect.poll(() => r.closed(), { timeout: 10_000 }).toBe(true);
    const health = await fetch(new URL('/healthz', server.url));
    expect(health.status).toBe(200); // the other worker answers on the one port meanwhile
    const again = await open(`${wsUrl('/relay')}?room=room-one`);
    await expect.poll(() => again.frames[0]?.type, { timeout: 20_000 }).toBe('welcome');
    const newHolder = await client.get('confab:room:room-one');
    expect(newHolder).not.toBe(holderId);
    expect((await reports()).map((r) => r.id)).toContain(newHolder);
    // The primary starts the killed worker again: two live workers, a new node among them.
    await expect.poll(async () => (await reports()).length, { timeout: 30_000 }).toBe(2);
    expect((await reports()).map((r) => r.id)).not.toContain(holderId);
    expect(server.output()).toMatch(/"msg":"worker died; starting it again"/);
    again.ws.close();
  });

  it('SIGTERM: the primary stops every worker, each leaves Redis, and it exits 0', async () => {
    const ids = (await reports()).map((r) => r.id);
    const pids = ids.map(pidOf);
    expect(pids.every(alive)).toBe(true);
    await server.stop();
    expect(server.process.exitCode).toBe(0);
    expect(pids.some(alive)).toBe(false);
    expect(await client.keys('confab:node:*')).toEqual([]);
  });
});

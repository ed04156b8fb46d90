import { describe, expect, it } from 'vitest';
import { SIGNALING_LIMITS } from '../../../../crdt/protocol/wire';
import { createLogger } from '../../../../relay/log';
import type { SignalingRelayOptions } from '../../../../relay/signaling';
import { bareRelay, connect, settle, until } from '../../../support/signaling-socket';

async function withRelay(opts: SignalingRelayOptions, run: (wsUrl: string, relay: Awaited<ReturnType<typeof bareRelay>>['relay']) => Promise<void>) {
  const bare = await bareRelay(SIGNALING_LIMITS, opts);
  try {
    await run(bare.wsUrl, bare.relay);
  } finally {
    await bare.close();
  }
}

/** What the operator configures (ICE servers, room limits) as a client sees it on the wire. */
describe('signaling relay: welcome, room limits, shutdown', () => {
  it('greets every socket with a welcome frame carrying the ICE servers (none by default)', async () => {
    await withRelay({}, async (wsUrl) => {
      expect((await connect(wsUrl)).welcome).toEqual({ type: 'welcome', v: 1, iceServers: [] });
    });
    const iceServers = [{ urls: 'stun:127.0.0.1:3478' }, { urls: 'turn:turn.example:3478', username: 'u', credential: 'p' }];
    await withRelay({ iceServers }, async (wsUrl) => {
      const a = await connect(wsUrl);
      expect(a.welcome).toEqual({ type: 'welcome', v: 1, iceServers });
      a.ws.close();
    });
  });

  it('a subscribe past max peers per topic is refused, the socket stays usable, and it cannot publish there', async () => {
    await withRelay({ maxPeersPerTopic: 2 }, async (wsUrl, relay) => {
      const [a, b, c] = await Promise.all([connect(wsUrl), connect(wsUrl), connect(wsUrl)]);
      a.send({ type: 'subscribe', topics: ['room', 'peer-a'] });
      b.send({ type: 'subscribe', topics: ['room', 'peer-b'] });
      await until(() => relay.stats().topics === 3);
      c.send({ type: 'subscribe', topics: ['room', 'peer-c'] });
      c.send({ type: 'publish', topic: 'room', data: 'announce from c' });
      c.send({ type: 'publish', topic: 'peer-a', data: 'direct to a' });
      c.send({ type: 'ping' });
      await until(() => c.frames.length === 2);
      expect(c.frames).toEqual([{ type: 'refused', topic: 'room', reason: 'room-full', limit: 2 }, { type: 'pong' }]);
      await until(() => a.frames.length === 1);
      await settle();
      // The room never heard c; c's own topic and direct messages still work.
      expect(a.frames).toEqual([{ type: 'publish', topic: 'peer-a', data: 'direct to a', clients: 1 }]);
      expect(b.frames).toEqual([]);
      expect(c.closed()).toBeNull();
      expect(relay.stats()).toMatchObject({ rooms: 1, topics: 4, subscriptionsRefused: 1 });

      // Someone leaves: the next try gets in.
      b.ws.close();
      await until(() => relay.stats().sockets === 2);
      c.send({ type: 'subscribe', topics: ['room'] });
      await settle();
      c.send({ type: 'publish', topic: 'room', data: 'hello again' });
      await until(() => a.frames.length === 2);
      expect(a.frames[1]).toEqual({ type: 'publish', topic: 'room', data: 'hello again', clients: 2 });
      for (const x of [a, c]) x.ws.close();
    });
  });

  it('max rooms counts topics with two or more subscribers: private topics and someone alone are free', async () => {
    await withRelay({ maxRooms: 1 }, async (wsUrl, relay) => {
      const [a, b, c, d] = await Promise.all([connect(wsUrl), connect(wsUrl), connect(wsUrl), connect(wsUrl)]);
      a.send({ type: 'subscribe', topics: ['room-1', 'peer-a'] });
      b.send({ type: 'subscribe', topics: ['room-1', 'peer-b'] });
      c.send({ type: 'subscribe', topics: ['room-2', 'peer-c'] });
      await until(() => relay.stats().topics === 5);
      expect(relay.stats().rooms).toBe(1);
      d.send({ type: 'subscribe', topics: ['room-2', 'peer-d'] });
      await until(() => d.frames.length === 1);
      expect(d.frames[0]).toEqual({ type: 'refused', topic: 'room-2', reason: 'server-full', limit: 1 });
      // A room that already exists still takes people.
      d.send({ type: 'subscribe', topics: ['room-1'] });
      await until(() => relay.stats().rooms === 1 && relay.stats().topics === 6);
      await settle();
      expect(d.frames).toHaveLength(1);
      a.ws.close();
      b.ws.close();
      d.ws.close();
      await until(() => relay.stats().rooms === 0);
      c.ws.close();
    });
  });

  it('close() sends every socket 1001 "going away"', async () => {
    const bare = await bareRelay();
    const [a, b] = await Promise.all([connect(bare.wsUrl), connect(bare.wsUrl)]);
    a.send({ type: 'subscribe', topics: ['t'] });
    await settle();
    await bare.close();
    await until(() => a.closed() !== null && b.closed() !== null);
    expect([a.closed(), b.closed()]).toEqual([1001, 1001]);
  });

  it('logs refusals and rejected sockets as JSON lines with their reason', async () => {
    const lines: string[] = [];
    const log = createLogger('info', (line) => lines.push(line));
    await withRelay({ maxPeersPerTopic: 2, log }, async (wsUrl) => {
      const [a, b, c] = await Promise.all([connect(wsUrl), connect(wsUrl), connect(wsUrl)]);
      a.send({ type: 'subscribe', topics: ['r'] });
      b.send({ type: 'subscribe', topics: ['r'] });
      await settle();
      c.send({ type: 'subscribe', topics: ['r'] });
      c.send({ type: 'subscribe', topics: Array.from({ length: 100 }, (_, i) => `t${i}`) });
      await until(() => c.closed() === 1008);
      const d = await connect(wsUrl);
      d.send({ type: 'publish', topic: 'r', data: 'x'.repeat(SIGNALING_LIMITS.maxFrameBytes + 1) });
      await until(() => d.closed() === 1009);
    });
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.every((l) => l.endsWith('}\n') && !l.slice(0, -1).includes('\n'))).toBe(true);
    expect(parsed).toContainEqual(expect.objectContaining({ level: 'info', msg: 'subscription refused', reason: 'room-full', limit: 2 }));
    expect(parsed).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'socket rejected', reason: 'too many topics', address: '127.0.0.1' }));
    expect(parsed).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'socket rejected', reason: 'frame too big' }));
    for (const p of parsed) expect(Date.parse(p.t as string)).toBeGreaterThan(0);
  });
});

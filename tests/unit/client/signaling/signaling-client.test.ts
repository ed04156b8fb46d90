import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SIGNALING_LIMITS } from '../../../../crdt/protocol/wire';
import { SignalingClient, type SignalingStatus } from '../../../../client/src/signaling/signaling-client';
import { bareRelay, connect, until } from '../../../support/signaling-socket';

/** The browser's signaling client (Node 20 has no global WebSocket: `ws` stands in) against the real relay. */
function client(wsUrl: string, refusedRetryMs = 200) {
  const statuses: SignalingStatus[] = [];
  const received: string[] = [];
  const signaling = new SignalingClient({
    url: wsUrl,
    WebSocketImpl: WebSocket as unknown as typeof globalThis.WebSocket,
    refusedRetryMs,
    onMessage: (_topic, data) => received.push(data),
    onStatus: (s) => statuses.push(s),
  });
  return { signaling, statuses, received };
}

describe('SignalingClient', () => {
  it('takes the ICE servers from the welcome frame', async () => {
    const iceServers = [{ urls: 'turn:turn.example:3478', username: 'u', credential: 'p' }];
    const bare = await bareRelay(SIGNALING_LIMITS, { iceServers });
    const c = client(bare.wsUrl);
    try {
      await until(() => c.signaling.iceServers.length === 1);
      expect(c.signaling.iceServers).toEqual(iceServers);
    } finally {
      c.signaling.close();
      await bare.close();
    }
  });

  it('refused: says so, holds back its publishes, retries, and is admitted once there is room', async () => {
    const bare = await bareRelay(SIGNALING_LIMITS, { maxPeersPerTopic: 2 });
    const [a, b] = await Promise.all([connect(bare.wsUrl), connect(bare.wsUrl)]);
    const c = client(bare.wsUrl);
    try {
      a.send({ type: 'subscribe', topics: ['room'] });
      b.send({ type: 'subscribe', topics: ['room'] });
      await until(() => bare.relay.stats().rooms === 1 && c.signaling.status === 'open');
      c.signaling.subscribe(['room']);
      await until(() => c.signaling.status === 'refused');
      expect(c.signaling.refusal).toEqual({ reason: 'room-full', limit: 2 });
      c.signaling.publish('room', 'hello from c');
      await new Promise((r) => setTimeout(r, 500)); // two retries, both refused
      expect(a.frames).toEqual([]);
      expect(c.signaling.status).toBe('refused');

      b.ws.close();
      await until(() => c.signaling.status === 'open');
      expect(c.signaling.refusal).toBeNull();
      await until(() => a.frames.length === 1);
      expect(a.frames[0]).toMatchObject({ type: 'publish', topic: 'room', data: 'hello from c', clients: 2 });
      expect(c.statuses).toEqual(['open', 'refused', 'open']);
    } finally {
      c.signaling.close();
      a.ws.close();
      await bare.close();
    }
  });

  it('a server going away (1001 on shutdown) means "reconnecting": the Room view shows its banner', async () => {
    const first = await bareRelay();
    const c = client(first.wsUrl);
    try {
      await until(() => c.signaling.status === 'open');
      await first.close();
      await until(() => c.signaling.status === 'reconnecting');
      expect(c.statuses).toEqual(['open', 'reconnecting']);
    } finally {
      c.signaling.close();
    }
  });
});

import { Redis } from 'ioredis';
import type { SignalingData } from '../../crdt/protocol/wire';
import type { Logger } from '../log';
import type { SignalingBus } from '../signaling';

const CHANNEL_PREFIX = 'confab:signal:';

export interface RedisBus extends SignalingBus {
  close(): Promise<void>;
}

/**
 * Signaling across the nodes of a cluster: a node subscribes to a topic's Redis channel while
 * it has a subscriber of that topic, and publishes every frame there; the other nodes' sockets
 * get it through `deliver`. Topics and payloads stay as opaque as on one node. Each message
 * names its node, so a node ignores the echo of its own.
 */
export function createRedisBus(url: string, nodeId: string, deliver: (topic: string, data: SignalingData) => void, log: Logger): RedisBus {
  const pub = new Redis(url, { lazyConnect: false });
  const sub = new Redis(url, { lazyConnect: false });
  for (const conn of [pub, sub]) conn.on('error', (err: Error) => log.warn('redis', { error: err.message }));
  sub.on('message', (channel: string, message: string) => {
    let parsed: { n?: unknown; d?: unknown };
    try {
      parsed = JSON.parse(message) as { n?: unknown; d?: unknown };
    } catch {
      return;
    }
    if (parsed.n === nodeId || !channel.startsWith(CHANNEL_PREFIX)) return;
    if (typeof parsed.d === 'string' || (typeof parsed.d === 'object' && parsed.d !== null && !Array.isArray(parsed.d))) {
      deliver(channel.slice(CHANNEL_PREFIX.length), parsed.d as SignalingData);
    }
  });
  // Redis down: signaling carries on within this node; ioredis reconnects (and resubscribes) by itself.
  const failed = (what: string) => (err: Error) => log.warn('redis', { op: what, error: err.message });
  return {
    join: (topic) => void sub.subscribe(CHANNEL_PREFIX + topic).catch(failed('subscribe')),
    leave: (topic) => void sub.unsubscribe(CHANNEL_PREFIX + topic).catch(failed('unsubscribe')),
    publish: (topic, data) => void pub.publish(CHANNEL_PREFIX + topic, JSON.stringify({ n: nodeId, d: data })).catch(failed('publish')),
    async close() {
      sub.disconnect();
      await pub.quit().catch(() => pub.disconnect());
    },
  };
}

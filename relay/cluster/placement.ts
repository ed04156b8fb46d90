import { Redis } from 'ioredis';
import type { Logger } from '../log';

/** What a node reports about itself every beat. */
export interface NodeReport {
  id: string;
  /** Where other nodes reach its relay node (ws://host:port/relay). */
  relayUrl: string;
  /** Relay participants plus signaling sockets: what "least loaded" compares. */
  load: number;
  rooms: string[];
}

const BEAT_MS = 1_000;
/** A node that missed this many beats' worth of time is dead: its rooms are placed again. */
const NODE_TTL_MS = 3_500;
/** A room record outlives its node's last beat by this much (refreshed while the room lives). */
const ROOM_TTL_MS = 60_000;
const NODES_KEY = 'confab:nodes';
const nodeKey = (id: string) => `confab:node:${id}`;
const roomKey = (room: string) => `confab:room:${room}`;

// Place a room only if its record still names what we saw (nothing, or a dead node): two nodes
// placing the same room at once agree on the first one's choice.
const PLACE_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if (current == false and ARGV[1] == '') or current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return ARGV[2]
end
return current`;

export interface Placement {
  readonly nodeId: string;
  /** The live node that holds `room`, placing it on the least-loaded one if none does. */
  place(room: string): Promise<NodeReport>;
  /** A node that could not be reached: forget it now rather than at its TTL. */
  forget(id: string): Promise<void>;
  liveNodes(): Promise<NodeReport[]>;
  close(): Promise<void>;
}

/**
 * Nodes of a cluster in Redis (the engine LiveKit uses for the same job): each node writes its
 * report under a key that expires unless refreshed every beat, so nodes join and leave at
 * will and a dead one vanishes within NODE_TTL_MS. A room's relay lives on one node, recorded
 * under the room; a room whose node is gone is placed again on the next connection.
 */
export async function createPlacement(opts: { url: string; nodeId: string; relayUrl: string; report: () => { load: number; rooms: string[] }; log: Logger }): Promise<Placement> {
  // Few retries: a node that cannot reach Redis serves its rooms itself rather than waiting.
  const redis = new Redis(opts.url, { lazyConnect: false, maxRetriesPerRequest: 2 });
  redis.on('error', (err: Error) => opts.log.warn('redis', { error: err.message }));
  const self = (): NodeReport => ({ id: opts.nodeId, relayUrl: opts.relayUrl, ...opts.report() });

  const beat = async () => {
    const report = self();
    const batch = redis.multi().set(nodeKey(report.id), JSON.stringify(report), 'PX', NODE_TTL_MS).sadd(NODES_KEY, report.id);
    for (const room of report.rooms) batch.pexpire(roomKey(room), ROOM_TTL_MS);
    await batch.exec();
  };
  await beat();
  const timer = setInterval(() => void beat().catch((err: Error) => opts.log.warn('redis', { op: 'beat', error: err.message })), BEAT_MS);
  timer.unref();

  const liveNodes = async (): Promise<NodeReport[]> => {
    const ids = await redis.smembers(NODES_KEY);
    if (ids.length === 0) return [];
    const values = await redis.mget(ids.map(nodeKey));
    const gone = ids.filter((_, i) => values[i] === null);
    if (gone.length > 0) await redis.srem(NODES_KEY, ...gone);
    return values.flatMap((v) => (v === null ? [] : [JSON.parse(v) as NodeReport]));
  };
  const leastLoaded = (nodes: NodeReport[]) => [...nodes].sort((a, b) => a.load - b.load || (a.id < b.id ? -1 : 1))[0] ?? self();

  return {
    nodeId: opts.nodeId,
    liveNodes,
    async place(room) {
      const [current, nodes] = await Promise.all([redis.get(roomKey(room)), liveNodes()]);
      const holder = nodes.find((n) => n.id === current);
      if (holder) return holder;
      const target = leastLoaded(nodes);
      const winner = (await redis.eval(PLACE_SCRIPT, 1, roomKey(room), current ?? '', target.id, String(ROOM_TTL_MS))) as string;
      if (winner !== target.id) return nodes.find((n) => n.id === winner) ?? target;
      opts.log.info('room placed', { node: target.id, ...(current ? { was: current } : {}) });
      return target;
    },
    async forget(id) {
      if (id === opts.nodeId) return;
      await redis.multi().del(nodeKey(id)).srem(NODES_KEY, id).exec();
    },
    async close() {
      clearInterval(timer);
      await redis.multi().del(nodeKey(opts.nodeId)).srem(NODES_KEY, opts.nodeId).exec().catch(() => undefined);
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

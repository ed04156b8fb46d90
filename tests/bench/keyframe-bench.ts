import { startBots, startRelayNode } from '../load/harness';
import { loadRecording } from '../load/recording';

const ASK_EVERY_MS = 100;
const ASK_FOR_MS = Number(process.env.BENCH_KEYFRAME_MS ?? 10_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface KeyframeBench {
  seconds: number;
  requestsIn: number;
  sentUpstream: number;
  publisherGot: number;
}

/**
 * One subscriber that cannot decode and keeps asking for keyframes (a PLI every 100 ms, as a
 * failing transform does), through a real relay node: how many requests reach the publisher.
 */
export async function keyframeRequestBench(): Promise<KeyframeBench> {
  const relay = await startRelayNode();
  const room = await startBots(relay, loadRecording(), 2, { videoSlots: 1, audioSlots: 1, audioLevel: () => 127, startBatch: 1 });
  try {
    const [publisher, subscriber] = room.bots as [(typeof room.bots)[0], (typeof room.bots)[0]];
    subscriber.subscribe(0, publisher.id, 'high');
    await sleep(2_000); // the switch's own keyframe request, and the stream under way
    const before = await relay.stats();
    const gotBefore = publisher.keyframeRequests;
    const t0 = performance.now();
    while (performance.now() - t0 < ASK_FOR_MS) {
      subscriber.requestKeyframe(0);
      await sleep(ASK_EVERY_MS);
    }
    await sleep(500);
    const after = await relay.stats();
    return {
      seconds: (performance.now() - t0) / 1000,
      requestsIn: after.keyframeRequestsIn - before.keyframeRequestsIn,
      sentUpstream: after.keyframeRequests - before.keyframeRequests,
      publisherGot: publisher.keyframeRequests - gotBefore,
    };
  } finally {
    room.stop();
    await sleep(300);
    await relay.stop();
  }
}

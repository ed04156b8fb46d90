import { describe, expect, it } from 'vitest';
import type { DownTrack, UpTrack } from '../../../../relay/sfu/interfaces';
import { KEYFRAME_WINDOW_MS } from '../../../../relay/sfu/keyframe-requests';
import { Room, type Participant } from '../../../../relay/sfu/room';
import { ForwardingStats } from '../../../../relay/sfu/stats';
import { buildPli, buildRtp, vp8Payload } from '../../../load/packet-builder';

const VP8 = 96;
const HIGH = 2;

const pli = (mediaSsrc: number) => buildPli(1, mediaSsrc);

/**
 * A publisher whose encoder answers every keyframe request with a keyframe on its next frame (as
 * browsers do), 20 frames/s on the high layer, and subscribers that count what they receive.
 */
function room() {
  const stats = new ForwardingStats();
  const r = new Room(stats, { random: () => 0 });
  let asked = 0;
  let keyframeNext = true;
  const up = (): UpTrack => ({ requestKeyframe: () => ((asked++, (keyframeNext = true))), isOpen: () => true });
  const pub = r.join('pub', { send: () => {} });
  r.publish(pub, { audio: up(), video: [up(), up(), up()], audioPayloadType: 111, videoPayloadType: VP8, audioLevelExtensionId: 0 });
  r.attachDown(pub, { video: [], audio: [] });
  let seq = 0;
  const frame = (nowMs: number) => {
    const keyframe = keyframeNext;
    keyframeNext = false;
    seq++;
    r.onUpVideo(pub, HIGH, buildRtp({ payloadType: VP8, seq, timestamp: seq * 4500, ssrc: 5, payload: vp8Payload({ start: true, keyframe }) }), nowMs);
    return keyframe;
  };
  const subs: { p: Participant; keyframes: number; packets: number }[] = [];
  const subscriber = (id: string, nowMs: number) => {
    const counts = { p: r.join(id, { send: () => {} }), keyframes: 0, packets: 0 };
    const down: DownTrack = { isOpen: () => true, send: () => counts.packets++ };
    r.attachDown(counts.p, { video: [{ track: down, ssrc: 1000 + subs.length }], audio: [] });
    expect(r.subscribe(counts.p, 0, 'pub', 'high', nowMs)).toBeNull();
    subs.push(counts);
    return counts;
  };
  return { r, stats, pub, frame, subscriber, asked: () => asked };
}

describe('keyframe requests at the relay', () => {
  it('one subscriber that keeps asking (every 100 ms for 34 s) gets a handful of keyframes upstream, not one per request', () => {
    const t = room();
    const broken = t.subscriber('broken', 0);
    let keyframes = 0;
    for (let now = 0; now < 34_000; now += 50) {
      if (t.frame(now)) keyframes++;
      if (now % 100 === 0) t.r.onDownRtcp(broken.p, pli(1000), now);
      if (now % 200 === 0) t.r.tick(now);
    }
    console.log(`[keyframes] 34 s of a subscriber asking every 100 ms: ${t.stats.keyframeRequestsIn} requests in, ${t.stats.keyframeRequests} sent upstream, ${keyframes} keyframes encoded`);
    expect(t.stats.keyframeRequestsIn).toBe(340);
    // The old rule (one per 300 ms per layer) sent 113 and the publisher made ~3 keyframes/s.
    expect(t.stats.keyframeRequests).toBeLessThanOrEqual(12);
    expect(keyframes).toBeLessThanOrEqual(13);
  });

  it('five subscribers starting the same layer within the window make one request; all start on the keyframe it brings', () => {
    const t = room();
    t.frame(0); // the publisher's first keyframe, before anyone watches
    const subs = [0, 20, 40, 60, 80].map((at, i) => t.subscriber(`s${i}`, 1_000 + at));
    expect(t.asked(), 'one request for all five').toBe(1);
    for (let now = 1_100; now < 1_300; now += 50) t.frame(now);
    for (const s of subs) expect(s.packets, 'forwarded from the keyframe on').toBe(4);
  });

  it('a request held back in the window goes when the window ends, unless a keyframe served it meanwhile', () => {
    const t = room();
    const a = t.subscriber('a', 0);
    t.frame(10); // keyframe: a starts
    expect(a.packets).toBe(1);
    const sentBefore = t.stats.keyframeRequests;
    t.r.onDownRtcp(a.p, pli(1000), 100); // within the window of the subscribe's request: held back
    expect(t.stats.keyframeRequests).toBe(sentBefore);
    t.r.tick(KEYFRAME_WINDOW_MS + 1);
    expect(t.stats.keyframeRequests, 'the held-back request goes at the window end').toBe(sentBefore + 1);

    t.r.onDownRtcp(a.p, pli(1000), KEYFRAME_WINDOW_MS + 100); // held back again (within the new window)…
    t.frame(KEYFRAME_WINDOW_MS + 150); // …and served by the keyframe already asked for
    t.r.tick(2 * KEYFRAME_WINDOW_MS + 200);
    expect(t.stats.keyframeRequests, 'no extra request once a keyframe came').toBe(sentBefore + 1);
  });

  it("a broken subscriber's backoff does not slow a newcomer: the newcomer starts on the next keyframe", () => {
    const t = room();
    const broken = t.subscriber('broken', 0);
    for (let now = 0; now < 10_000; now += 50) {
      t.frame(now);
      if (now % 100 === 0) t.r.onDownRtcp(broken.p, pli(1000), now);
      if (now % 200 === 0) t.r.tick(now);
    }
    const late = t.subscriber('late', 10_000);
    let now = 10_000;
    while (late.packets === 0 && now < 12_000) {
      now += 50;
      t.frame(now);
      if (now % 200 === 0) t.r.tick(now);
    }
    expect(late.packets).toBeGreaterThan(0);
    expect(now - 10_000).toBeLessThanOrEqual(KEYFRAME_WINDOW_MS + 250);
  });
});

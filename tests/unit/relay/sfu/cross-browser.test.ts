import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConnectLayout, RelayServerMessage } from '../../../../crdt/protocol/relay-wire';
import type { DownTrack, UpTrack } from '../../../../relay/sfu/interfaces';
import { answerConnection, type Connection } from '../../../../relay/sfu/peer';
import { Room } from '../../../../relay/sfu/room';
import { findRtpExtension, rtpPayloadType } from '../../../../relay/sfu/rtp';
import { parseSdpMedia } from '../../../../relay/sfu/sdp';
import { ForwardingStats } from '../../../../relay/sfu/stats';
import { absSendTime, buildRtp, vp8Payload } from '../../../load/packet-builder';

/**
 * Firefox and Chromium through one relay: each gets packets under its own payload numbers, and
 * no header extension of one engine reaches the other (tests/fixtures holds the relay offers
 * Firefox 153 ESR and Chromium made here).
 */
const fixture = (name: string) => readFileSync(new URL(`../../../fixtures/${name}`, import.meta.url), 'utf8');
const FIREFOX_OFFER = fixture('firefox-153-relay-offer.sdp');
const CHROMIUM_OFFER = fixture('chromium-relay-offer.sdp');
/** Both clients lay out their offer alike (relay-link.ts): audio, 3 layers, screen, 17 video slots, 3 audio slots, data. */
const LAYOUT: ConnectLayout = {
  audio: '0',
  video: { low: '1', mid: '2', high: '3' },
  screen: '4',
  downVideo: Array.from({ length: 17 }, (_, i) => String(5 + i)),
  downAudio: ['22', '23', '24'],
};
const noop = () => {};
const handlers = { audio: noop, video: noop, downRtcp: noop, opened: noop, roomChannel: () => ({ message: noop, closed: noop }) };

describe('the relay answers each browser in its own numbers', () => {
  const conns: Connection[] = [];
  afterAll(() => conns.forEach((c) => c.close()));

  for (const [browser, offer, vp8, opus] of [
    ['Firefox', FIREFOX_OFFER, 120, 109],
    ['Chromium', CHROMIUM_OFFER, 96, 111],
  ] as const) {
    it(`${browser}: down slots carry VP8 as ${vp8} and Opus as ${opus}, as its offer numbered them`, async () => {
      const conn = await answerConnection(`test-${browser}`, offer, LAYOUT, handlers, { bindAddress: '127.0.0.1' });
      conns.push(conn);
      const answer = parseSdpMedia(conn.answerSdp);
      const down = (mid: string) => answer.find((m) => m.mid === mid)!;
      expect([...down('5').payloadTypes]).toEqual([['vp8', vp8]]);
      expect([...down('22').payloadTypes]).toEqual([['opus', opus]]);
      expect(conn.down.video.every((s) => s.payloadType === vp8)).toBe(true);
      expect(conn.down.audio.every((s) => s.payloadType === opus)).toBe(true);
      expect(conn.up.videoPayloadType).toBe(vp8);
      expect(conn.up.audioPayloadType).toBe(opus);
    });
  }
});

describe('Room forwarding between engines', () => {
  const fakeUp = (): UpTrack => ({ requestKeyframe: noop, isOpen: () => true });
  const fakeDown = (): DownTrack & { packets: Buffer[] } => ({ packets: [], isOpen: () => true, send(p) { this.packets.push(Buffer.from(p)); } });

  it("a Firefox packet reaches a Chromium subscriber under Chromium's VP8 number, with Firefox's extensions blanked", () => {
    const room = new Room(new ForwardingStats(), { random: () => 0 });
    const join = (id: string, vp8: number, opus: number) => {
      const messages: RelayServerMessage[] = [];
      const p = room.join(id, { send: (m) => messages.push(m) });
      room.publish(p, { audio: fakeUp(), video: [fakeUp(), fakeUp(), fakeUp()], audioPayloadType: opus, videoPayloadType: vp8, audioLevelExtensionId: 1 });
      const tile = fakeDown();
      room.attachDown(p, { video: [{ track: tile, ssrc: 1000, payloadType: vp8 }], audio: [{ track: fakeDown(), ssrc: 2000, payloadType: opus }] });
      return { p, tile };
    };
    const firefox = join('firefox', 120, 109);
    const chromium = join('chromium', 96, 111);
    expect(room.subscribe(chromium.p, 0, 'firefox', 'high', 0)).toBeNull();
    expect(room.subscribe(firefox.p, 0, 'chromium', 'high', 0)).toBeNull();
    // Firefox numbers abs-send-time 4 and MID 3; Chromium reads id 4 as the MID (and drops the packet, seen here).
    const fromFirefox = buildRtp({ payloadType: 120, seq: 1, timestamp: 0, ssrc: 7, extensions: [{ id: 3, data: [0x33] }, { id: 4, data: absSendTime(1_000) }], payload: vp8Payload({ start: true, keyframe: true }) });
    room.onUpVideo(firefox.p, 2, fromFirefox, 1);
    const fromChromium = buildRtp({ payloadType: 96, seq: 1, timestamp: 0, ssrc: 8, extensions: [{ id: 4, data: [0x33] }], payload: vp8Payload({ start: true, keyframe: true }) });
    room.onUpVideo(chromium.p, 2, fromChromium, 1);

    const atChromium = chromium.tile.packets[0]!;
    expect(rtpPayloadType(atChromium)).toBe(96);
    for (const id of [1, 2, 3, 4, 5, 6, 7]) expect(findRtpExtension(atChromium, id), `extension ${id}`).toBe(-1);
    const atFirefox = firefox.tile.packets[0]!;
    expect(rtpPayloadType(atFirefox)).toBe(120);
    expect(findRtpExtension(atFirefox, 4)).toBe(-1);
    // Same length, same payload: only the extension bytes became padding.
    expect(atChromium.length).toBe(fromFirefox.length);
    expect(atChromium.subarray(-4)).toEqual(fromFirefox.subarray(-4));
  });
});

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import ndc, { type Track } from 'node-datachannel';
import { launchChromium } from '../support/browser';
import { isRtp, rtpMarker, rtpPayloadEnd, rtpPayloadOffset, rtpTimestamp } from '../../relay/sfu/rtp';
import { isVp8KeyframeStart } from '../../relay/sfu/vp8';
import { encodeRecording, FIXTURE_PATH, type RecordedPacket } from './recording';

/**
 * Records tests/fixtures/media.rtp once: Chromium's fake camera and microphone publish Opus plus
 * three send-only VP8 transceivers of the same camera track (scales 4/2/1, each with its own
 * SSRC) to a node-datachannel peer, which keeps the RTP payloads. Run: `npx tsx tests/load/record.ts`.
 */
const WARMUP_MS = Number(process.env.RECORD_WARMUP_MS ?? 5_000);
const RECORD_MS = Number(process.env.RECORD_MS ?? 8_000);
const MIDS_TO_STREAM = new Map([['0', 0], ['1', 1], ['2', 2], ['3', 3]]);

const http = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>rec</title>'));
await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
const pageUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;
const browser = await launchChromium();
const pc = new ndc.PeerConnection('recorder', { iceServers: [], bindAddress: '127.0.0.1' });
try {
  const page = await (await browser.newContext()).newPage();
  await page.goto(pageUrl);
  const offer = await page.evaluate(async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 480 } });
    const pc = new RTCPeerConnection({ iceServers: [] });
    (window as unknown as { pc: RTCPeerConnection }).pc = pc;
    const audio = pc.addTransceiver(stream.getAudioTracks()[0]!, { direction: 'sendonly' });
    audio.setCodecPreferences(RTCRtpSender.getCapabilities('audio')!.codecs.filter((c) => c.mimeType === 'audio/opus'));
    const vp8 = RTCRtpSender.getCapabilities('video')!.codecs.filter((c) => c.mimeType === 'video/VP8');
    const layers: [number, number][] = [[4, 150_000], [2, 400_000], [1, 1_000_000]];
    for (const [scale, maxBitrate] of layers) {
      const t = pc.addTransceiver(stream.getVideoTracks()[0]!, {
        direction: 'sendonly',
        sendEncodings: [{ scaleResolutionDownBy: scale, maxBitrate }],
      });
      t.setCodecPreferences(vp8);
    }
    await pc.setLocalDescription();
    await new Promise<void>((resolve) => {
      if (pc.iceGatheringState === 'complete') return resolve();
      pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve();
    });
    return pc.localDescription!.sdp;
  });
  console.log(offer.split('\r\n').filter((l) => /^(m=|a=mid|a=ssrc:\d+ cname|a=rtpmap)/.test(l)).join('\n'));

  const tracks: Track[] = [];
  const packets: RecordedPacket[] = [];
  let recordingSince = 0;
  const firstTs = new Map<number, number>();
  const started = new Set<number>();
  pc.onTrack((track) => {
    const stream = MIDS_TO_STREAM.get(track.mid());
    if (stream === undefined) return;
    track.setMediaHandler(new ndc.RtcpReceivingSession());
    tracks.push(track);
    track.onOpen(() => {
      if (stream > 0) track.requestBitrate(3_000_000);
    });
    track.onMessage((buf) => {
      if (!recordingSince || !isRtp(buf)) return;
      const at = rtpPayloadOffset(buf);
      const end = rtpPayloadEnd(buf);
      if (at < 0 || end <= at) return;
      if (!started.has(stream)) {
        if (stream > 0 && !isVp8KeyframeStart(buf, at, end)) return; // every video stream starts at a keyframe
        started.add(stream);
        firstTs.set(stream, rtpTimestamp(buf));
      }
      packets.push({
        stream,
        marker: rtpMarker(buf),
        atUs: Math.round((performance.now() - recordingSince) * 1000),
        rtpTs: (rtpTimestamp(buf) - firstTs.get(stream)!) >>> 0,
        payload: Buffer.from(buf.subarray(at, end)),
      });
    });
  });
  pc.setRemoteDescription(offer, 'offer');
  const answer = await new Promise<string>((resolve) => {
    const done = () => resolve(pc.localDescription()!.sdp);
    if (pc.gatheringState() === 'complete') done();
    else pc.onGatheringStateChange((s) => s === 'complete' && done());
  });
  await page.evaluate((sdp) => (window as unknown as { pc: RTCPeerConnection }).pc.setRemoteDescription({ type: 'answer', sdp }), answer);
  const bitrate = setInterval(() => tracks.forEach((t) => t.isOpen() && t.type() === 'video' && t.requestBitrate(3_000_000)), 500);
  await page.waitForTimeout(WARMUP_MS);
  recordingSince = performance.now();
  for (const t of tracks) if (t.isOpen() && t.mid() !== '0') t.requestKeyframe();
  await page.waitForTimeout(RECORD_MS);
  recordingSince = 0;
  clearInterval(bitrate);
  const file = encodeRecording(packets);
  writeFileSync(FIXTURE_PATH, file);
  for (let s = 0; s < 4; s++) {
    const of = packets.filter((p) => p.stream === s);
    const bytes = of.reduce((n, p) => n + p.payload.length, 0);
    console.log(`stream ${s}: ${of.length} packets, ${((bytes * 8) / (RECORD_MS / 1000) / 1000).toFixed(0)} kbps`);
  }
  console.log(`wrote ${file.length} bytes to ${FIXTURE_PATH.pathname}`);
} finally {
  pc.close();
  await browser.close();
  http.close();
  ndc.cleanup();
}

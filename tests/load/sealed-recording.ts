import { vp8DescriptorLength } from '../../relay/sfu/vp8';
import { clearPrefixBytes, frameIv, sealFrame, senderFrameKey, type FrameLabel } from '../../client/src/media/e2ee/frame-crypto';
import { STREAM_AUDIO, type RecordedPacket, type Recording } from './recording';

/**
 * The recording with every frame sealed as a browser seals it (PROTOCOL.md, "End-to-end media
 * encryption"), so bots in an encrypted room are decodable by the browsers there. Video
 * frames are put back together from their packets (the VP8 payload descriptor stays on each
 * packet), sealed, and cut again at the same places; the last packet carries the tag and
 * trailer. Sealed once and replayed in a loop by every bot: IVs repeat with identical
 * plaintext, which reveals nothing here but would be wrong for real media.
 */
export async function sealRecording(recording: Recording, key: CryptoKey, label: FrameLabel): Promise<Recording> {
  const salt = new Uint8Array([0xb0, 0x75, 0, 0]);
  let counter = 0;
  const iv = () => frameIv(salt, ++counter);
  const streams: RecordedPacket[][] = [];
  for (const [stream, packets] of recording.streams.entries()) {
    if (stream === STREAM_AUDIO) {
      streams.push(
        await Promise.all(packets.map(async (p) => ({ ...p, payload: Buffer.from(await sealFrame(key, label, p.payload, clearPrefixBytes('audio', false), iv())) }))),
      );
      continue;
    }
    const sealed: RecordedPacket[] = [];
    for (const frame of framesOf(packets)) {
      const parts = frame.map((p) => {
        const descriptor = vp8DescriptorLength(p.payload, 0, p.payload.length);
        if (descriptor < 0) throw new Error('recorded VP8 packet without a payload descriptor');
        return { descriptor: p.payload.subarray(0, descriptor), data: p.payload.subarray(descriptor) };
      });
      const data = Buffer.concat(parts.map((part) => part.data));
      const keyFrame = (data[0]! & 0x01) === 0;
      const out = await sealFrame(key, label, data, clearPrefixBytes('video', keyFrame), iv());
      let at = 0;
      parts.forEach((part, i) => {
        const end = i === parts.length - 1 ? out.length : at + part.data.length;
        sealed.push({ ...frame[i]!, payload: Buffer.concat([part.descriptor, out.subarray(at, end)]) });
        at = end;
      });
    }
    streams.push(sealed);
  }
  return { streams, durationUs: recording.durationUs };
}

/** Consecutive packets of one RTP timestamp make one frame. */
function framesOf(packets: RecordedPacket[]): RecordedPacket[][] {
  const frames: RecordedPacket[][] = [];
  for (const p of packets) {
    const last = frames.at(-1);
    if (last && last[0]!.rtpTs === p.rtpTs) last.push(p);
    else frames.push([p]);
  }
  return frames;
}

/**
 * Publishers outside the room's key schedule (load bots): one test epoch whose members are the
 * bots, each sealing the recording under its own sender key. Browsers open their frames once
 * told the epoch (window.confabDebug.tamper.trustTestSenders); they never send under it.
 */
export const BOT_EPOCH = 200;

export function botEpochSecret(): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(new Uint8Array(32));
}

export function botSealer(recording: Recording, secret: Uint8Array<ArrayBuffer>) {
  return async (botId: string, members: string[]): Promise<Recording> => {
    const label = { epoch: BOT_EPOCH, keyId: BOT_EPOCH % 256, senderIndex: members.indexOf(botId), senderId: botId };
    return sealRecording(recording, await senderFrameKey(secret, BOT_EPOCH, botId), label);
  };
}

import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { vp8DescriptorLength } from '../../relay/sfu/vp8';
import { clearPrefixBytes, frameAdditionalData, frameIv, type FrameLabel } from '../../client/src/media/e2ee/frame-crypto';
import { STREAM_AUDIO, type RecordedPacket, type Recording } from './recording';

/**
 * Seals a bot's frames as a browser seals them (PROTOCOL.md, "End-to-end media encryption"),
 * at the moment each frame is sent, with a fresh frame counter every time: receivers keep a
 * replay window per sender, so a recording sealed once and looped would be refused from its
 * second loop on. Node's cipher is synchronous, so the replayer's send loop stays synchronous
 * (frame-crypto.ts's WebCrypto is not); tests/unit/load/sealed-recording.test.ts opens these
 * frames with frame-crypto's own openFrame.
 */
export class LiveFrameSealer {
  private counter = 0;
  private readonly salt = randomBytes(4);

  constructor(
    private readonly key: Uint8Array,
    private readonly label: FrameLabel,
  ) {}

  /**
   * One frame's payloads sealed: an Opus packet whole; a VP8 frame put back together from its
   * packets (each keeps its payload descriptor), sealed, and cut again at the same places, the
   * last packet carrying the tag and trailer.
   */
  seal(stream: number, frame: readonly RecordedPacket[]): Buffer[] {
    if (stream === STREAM_AUDIO) return frame.map((p) => this.sealBytes(p.payload, clearPrefixBytes('audio', false)));
    const parts = frame.map((p) => {
      const descriptor = vp8DescriptorLength(p.payload, 0, p.payload.length);
      if (descriptor < 0) throw new Error('recorded VP8 packet without a payload descriptor');
      return { descriptor: p.payload.subarray(0, descriptor), data: p.payload.subarray(descriptor) };
    });
    const data = Buffer.concat(parts.map((part) => part.data));
    const keyFrame = (data[0]! & 0x01) === 0;
    const sealed = this.sealBytes(data, clearPrefixBytes('video', keyFrame));
    let at = 0;
    return parts.map((part, i) => {
      const end = i === parts.length - 1 ? sealed.length : at + part.data.length;
      const payload = Buffer.concat([part.descriptor, sealed.subarray(at, end)]);
      at = end;
      return payload;
    });
  }

  private sealBytes(frame: Buffer, clearBytes: number): Buffer {
    const clear = Math.min(clearBytes, frame.length);
    const header = frame.subarray(0, clear);
    const iv = frameIv(this.salt, ++this.counter);
    const cipher = createCipheriv('aes-128-gcm', this.key, iv);
    cipher.setAAD(frameAdditionalData(this.label, header));
    const body = Buffer.concat([cipher.update(frame.subarray(clear)), cipher.final(), cipher.getAuthTag()]);
    return Buffer.concat([header, body, iv, Buffer.from([this.label.senderIndex, this.label.keyId])]);
  }
}

/** frame-crypto.ts's senderFrameKey as raw bytes (the same HKDF inputs), for node:crypto. */
export function senderFrameKeyBytes(epochSecret: Uint8Array, epoch: number, senderId: string): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', epochSecret, 'confab/media/v2', `sender ${epoch} ${senderId}`, 16));
}

/**
 * Publishers outside the room's key schedule (load bots): one test epoch whose members are the
 * bots, each sealing under its own sender key. Browsers open their frames once told the epoch
 * (window.confabDebug.tamper.trustTestSenders); they never send under it.
 */
export const BOT_EPOCH = 200;

export function botEpochSecret(): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(new Uint8Array(32));
}

/** A recording each bot sends sealed under its own sender key of the test epoch. */
export interface SealedRecording {
  recording: Recording;
  sealerFor(botId: string, botIds: readonly string[]): LiveFrameSealer;
}

export function botSealer(recording: Recording, secret: Uint8Array<ArrayBuffer>): SealedRecording {
  return {
    recording,
    sealerFor: (botId, botIds) =>
      new LiveFrameSealer(senderFrameKeyBytes(secret, BOT_EPOCH, botId), {
        epoch: BOT_EPOCH,
        keyId: BOT_EPOCH % 256,
        senderIndex: botIds.indexOf(botId),
        senderId: botId,
      }),
  };
}

/**
 * The worker every RTCRtpScriptTransform of this page runs in: seals each outgoing encoded
 * frame under our own sender key of the current epoch and opens each incoming one under the
 * key of the sender and epoch its trailer names (sender-keys.ts). A frame that does not open,
 * or opens with a counter seen before, is dropped, never passed to the decoder.
 */
import { clearPrefixBytes, frameIv, openFrame, sealedCounter, sealedLabel, sealFrame } from './frame-crypto';
import { SenderKeys } from './sender-keys';
import type { WorkerReply, WorkerRequest } from './worker-messages';
import type { RtpMedia } from '../media-kind';

interface EncodedFrame {
  data: ArrayBuffer;
  /** Video only: 'key' | 'delta' | 'empty'. */
  type?: string;
}
interface ScriptTransformer {
  readable: ReadableStream<EncodedFrame>;
  writable: WritableStream<EncodedFrame>;
  options: { side: 'send' | 'receive'; kind: RtpMedia };
  /** Send side, video: asks the encoder for a keyframe (Chromium 123+). */
  generateKeyFrame?(): Promise<unknown>;
}

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(m: WorkerReply): void;
  onrtctransform: ((e: Event & { transformer: ScriptTransformer }) => void) | null;
};

let keys: SenderKeys | null = null;
/** Video senders: each sends a keyframe under a new epoch at once, so receivers that just got the epoch (a newcomer) decode without waiting. */
const videoSenders = new Set<ScriptTransformer>();
/** Messages are handled in order: a `send` waits for the `epoch` install before it. */
let pending: Promise<unknown> = Promise.resolve();
const salt = crypto.getRandomValues(new Uint8Array(4));
let counter = 0;
const counts = { sealed: 0, opened: 0, failed: 0, replayed: 0 };

scope.onmessage = (e) => {
  const m = e.data;
  if (m.type === 'self') keys = new SenderKeys(m.id);
  else if (m.type === 'epoch') pending = pending.then(() => keys?.install(m));
  else if (m.type === 'send') {
    pending = pending.then(() => {
      if (keys?.send(m.epoch)) for (const t of videoSenders) void t.generateKeyFrame?.().catch(() => {});
    });
  }
  else if (m.type === 'counts') {
    scope.postMessage({ type: 'counts', ...counts, sendEpoch: keys?.sealing()?.label.epoch ?? null, heldEpochs: keys?.epochs() ?? [] });
  }
};

scope.onrtctransform = (event) => {
  const { readable, writable, options } = event.transformer;
  if (options.side === 'send' && options.kind === 'video') videoSenders.add(event.transformer);
  const transform = options.side === 'send' ? seal(options.kind) : open(options.kind);
  void readable
    .pipeThrough(new TransformStream({ transform }))
    .pipeTo(writable)
    .catch(() => {})
    .finally(() => videoSenders.delete(event.transformer));
};

function seal(kind: RtpMedia) {
  return async (frame: EncodedFrame, out: TransformStreamDefaultController<EncodedFrame>) => {
    if (frame.data.byteLength === 0) return out.enqueue(frame);
    const sealing = keys?.sealing();
    if (!sealing) return; // nothing leaves unencrypted
    const clear = clearPrefixBytes(kind, frame.type === 'key');
    frame.data = (await sealFrame(sealing.key, sealing.label, new Uint8Array(frame.data), clear, frameIv(salt, ++counter))).buffer;
    counts.sealed++;
    out.enqueue(frame);
  };
}

function open(kind: RtpMedia) {
  return async (frame: EncodedFrame, out: TransformStreamDefaultController<EncodedFrame>) => {
    if (frame.data.byteLength === 0) return out.enqueue(frame);
    const sealed = new Uint8Array(frame.data);
    const label = sealedLabel(sealed);
    const sender = label && keys?.opening(label.keyId, label.senderIndex);
    if (!sender) return void counts.failed++;
    const frameCounter = sealedCounter(sealed);
    if (!sender.replays.fresh(frameCounter)) return void counts.replayed++;
    const plain = await openFrame(sender.key, sender, sealed, clearPrefixBytes(kind, frame.type === 'key'));
    if (!plain) return void counts.failed++;
    if (!sender.replays.accept(frameCounter)) return void counts.replayed++;
    frame.data = plain.buffer;
    counts.opened++;
    out.enqueue(frame);
  };
}

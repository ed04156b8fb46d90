/**
 * The worker every RTCRtpScriptTransform of this page runs in: seals each outgoing encoded
 * frame under our own sender key of the current epoch and opens each incoming one under the
 * key of the sender and epoch its trailer names (sender-keys.ts). A frame that does not open,
 * or opens with a counter seen before, is dropped, never passed to the decoder (video frames
 * under an epoch still on its way are held briefly: video-receiver.ts).
 */
import { clearPrefixBytes, frameIv, sealFrame } from './frame-crypto';
import { openFrameInPlace } from './frame-opening';
import { SenderKeys } from './sender-keys';
import { VideoReceiver, type EncodedVideoFrame as EncodedFrame } from './video-receiver';
import type { WorkerReply, WorkerRequest } from './worker-messages';
import type { RtpMedia } from '../media-kind';

interface ScriptTransformer {
  readable: ReadableStream<EncodedFrame>;
  writable: WritableStream<EncodedFrame>;
  options: { side: 'send' | 'receive'; kind: RtpMedia };
  /** Send side, video: asks the encoder for a keyframe (Firefox; not in Chromium 156). */
  generateKeyFrame?(): Promise<unknown>;
  /** Receive side, video: asks the sender for a keyframe (Chromium and Firefox). */
  sendKeyFrameRequest?(): Promise<unknown>;
}

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(m: WorkerReply): void;
  onrtctransform: ((e: Event & { transformer: ScriptTransformer }) => void) | null;
};

let keys: SenderKeys | null = null;
/** Video senders: each sends a keyframe under a new epoch at once, so receivers that just got the epoch (a newcomer) decode without waiting. */
const videoSenders = new Set<ScriptTransformer>();
/** Video receivers: held frames open when their epoch arrives (video-receiver.ts). */
const videoReceivers = new Set<VideoReceiver>();
/** Messages are handled in order: a `send` waits for the `epoch` install before it. */
let pending: Promise<unknown> = Promise.resolve();
const salt = crypto.getRandomValues(new Uint8Array(4));
let counter = 0;
const counts = { sealed: 0, opened: 0, failed: 0, replayed: 0 };

scope.onmessage = (e) => {
  const m = e.data;
  if (m.type === 'self') keys = new SenderKeys(m.id);
  else if (m.type === 'epoch') {
    pending = pending.then(async () => {
      await keys?.install(m);
      for (const video of videoReceivers) void video.epochInstalled();
    });
  }
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
  const transformer = event.transformer;
  const video =
    options.side === 'receive' && options.kind === 'video'
      ? new VideoReceiver({
          open: (frame) => openInPlace('video', frame),
          requestKeyFrame: () => void transformer.sendKeyFrameRequest?.().catch(() => {}),
        })
      : null;
  if (video) videoReceivers.add(video);
  const transform = options.side === 'send' ? seal(options.kind) : video ? video.transform.bind(video) : openAudio;
  void readable
    .pipeThrough(new TransformStream({ transform }))
    .pipeTo(writable)
    .catch(() => {})
    .finally(() => {
      videoSenders.delete(event.transformer);
      if (video) videoReceivers.delete(video);
    });
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

const openInPlace = (kind: RtpMedia, frame: EncodedFrame) => openFrameInPlace(keys, kind, frame, counts);

function openAudio(frame: EncodedFrame, out: TransformStreamDefaultController<EncodedFrame>): Promise<void> | void {
  if (frame.data.byteLength === 0) return out.enqueue(frame);
  return openInPlace('audio', frame).then(({ result }) => {
    if (result === 'opened') out.enqueue(frame);
  });
}

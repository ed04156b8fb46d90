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
import { VideoSender } from './video-sender';
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
/**
 * Video senders: a new one holds its first frames until our next epoch switch (video-sender.ts);
 * each asks its encoder for a keyframe under a new epoch where the browser can (Firefox).
 */
const videoSenders = new Map<ScriptTransformer, VideoSender>();
/** performance.now() of our last switch to a new epoch. */
let switchedAt = -Infinity;
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
      if (!keys?.send(m.epoch)) return;
      switchedAt = performance.now();
      for (const [t, sender] of videoSenders) {
        void sender.switched();
        void t.generateKeyFrame?.().catch(() => {});
      }
    });
  }
  else if (m.type === 'counts') {
    scope.postMessage({ type: 'counts', ...counts, sendEpoch: keys?.sealing()?.label.epoch ?? null, heldEpochs: keys?.epochs() ?? [] });
  }
};

scope.onrtctransform = (event) => {
  const { readable, writable, options } = event.transformer;
  const transformer = event.transformer;
  const sender = options.side === 'send' && options.kind === 'video' ? new VideoSender({ seal: (frame) => sealInPlace('video', frame), switchedAt: () => switchedAt }) : null;
  if (sender) videoSenders.set(transformer, sender);
  const video =
    options.side === 'receive' && options.kind === 'video'
      ? new VideoReceiver({
          open: (frame) => openInPlace('video', frame),
          requestKeyFrame: () => void transformer.sendKeyFrameRequest?.().catch(() => {}),
        })
      : null;
  if (video) videoReceivers.add(video);
  const transform = sender ? sender.transform.bind(sender) : options.side === 'send' ? sealAudio : video ? video.transform.bind(video) : openAudio;
  void readable
    .pipeThrough(new TransformStream({ transform }))
    .pipeTo(writable)
    .catch(() => {})
    .finally(() => {
      videoSenders.delete(event.transformer);
      if (video) videoReceivers.delete(video);
    });
};

/** Seals `frame` in place under the epoch we send under; false when we have none (nothing leaves unencrypted). */
async function sealInPlace(kind: RtpMedia, frame: EncodedFrame): Promise<boolean> {
  const sealing = keys?.sealing();
  if (!sealing) return false;
  const clear = clearPrefixBytes(kind, frame.type === 'key');
  frame.data = (await sealFrame(sealing.key, sealing.label, new Uint8Array(frame.data), clear, frameIv(salt, ++counter))).buffer;
  counts.sealed++;
  return true;
}

async function sealAudio(frame: EncodedFrame, out: TransformStreamDefaultController<EncodedFrame>): Promise<void> {
  if (frame.data.byteLength === 0 || (await sealInPlace('audio', frame))) out.enqueue(frame);
}

const openInPlace = (kind: RtpMedia, frame: EncodedFrame) => openFrameInPlace(keys, kind, frame, counts);

function openAudio(frame: EncodedFrame, out: TransformStreamDefaultController<EncodedFrame>): Promise<void> | void {
  if (frame.data.byteLength === 0) return out.enqueue(frame);
  return openInPlace('audio', frame).then(({ result }) => {
    if (result === 'opened') out.enqueue(frame);
  });
}

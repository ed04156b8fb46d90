/**
 * The worker every RTCRtpScriptTransform of this page runs in: seals each outgoing encoded
 * frame under the current epoch's key and opens each incoming one under the key its trailer
 * names. A frame that does not open is dropped, never passed to the decoder.
 */
import { clearPrefixBytes, frameIv, importMediaKey, openFrame, sealedKeyId, sealFrame } from './frame-crypto';
import type { WorkerReply, WorkerRequest } from './worker-messages';

interface EncodedFrame {
  data: ArrayBuffer;
  /** Video only: 'key' | 'delta' | 'empty'. */
  type?: string;
}
interface ScriptTransformer {
  readable: ReadableStream<EncodedFrame>;
  writable: WritableStream<EncodedFrame>;
  options: { side: 'send' | 'receive'; kind: 'audio' | 'video' };
}

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(m: WorkerReply): void;
  onrtctransform: ((e: Event & { transformer: ScriptTransformer }) => void) | null;
};

const keys = new Map<number, CryptoKey>();
let sendKeyId: number | null = null;
const salt = crypto.getRandomValues(new Uint8Array(4));
let counter = 0;
const counts = { sealed: 0, opened: 0, failed: 0 };

scope.onmessage = (e) => {
  const m = e.data;
  if (m.type === 'key') {
    void importMediaKey(m.raw).then((key) => {
      keys.set(m.id, key);
      if (m.send) sendKeyId = m.id;
    });
  } else if (m.type === 'counts') {
    scope.postMessage({ type: 'counts', ...counts, sendKeyId });
  }
};

scope.onrtctransform = (event) => {
  const { readable, writable, options } = event.transformer;
  const transform = options.side === 'send' ? seal(options.kind) : open(options.kind);
  void readable.pipeThrough(new TransformStream({ transform })).pipeTo(writable);
};

function seal(kind: 'audio' | 'video') {
  return async (frame: EncodedFrame, out: TransformStreamDefaultController<EncodedFrame>) => {
    const key = sendKeyId === null ? undefined : keys.get(sendKeyId);
    if (frame.data.byteLength === 0) return out.enqueue(frame);
    if (!key || sendKeyId === null) return; // nothing leaves unencrypted
    frame.data = (await sealFrame(key, sendKeyId, new Uint8Array(frame.data), clearPrefixBytes(kind, frame.type === 'key'), frameIv(salt, ++counter))).buffer;
    counts.sealed++;
    out.enqueue(frame);
  };
}

function open(kind: 'audio' | 'video') {
  return async (frame: EncodedFrame, out: TransformStreamDefaultController<EncodedFrame>) => {
    if (frame.data.byteLength === 0) return out.enqueue(frame);
    const sealed = new Uint8Array(frame.data);
    const id = sealedKeyId(sealed);
    const key = id === null ? undefined : keys.get(id);
    const plain = key && (await openFrame(key, sealed, clearPrefixBytes(kind, frame.type === 'key')));
    if (!plain) {
      counts.failed++;
      return;
    }
    frame.data = plain.buffer;
    counts.opened++;
    out.enqueue(frame);
  };
}

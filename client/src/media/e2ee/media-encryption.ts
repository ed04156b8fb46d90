import type { WorkerReply, WorkerRequest } from './worker-messages';

declare const RTCRtpScriptTransform: {
  new (worker: Worker, options: { side: 'send' | 'receive'; kind: 'audio' | 'video' }): unknown;
};

type Transformable = { transform: unknown };

/**
 * Every audio and video frame this page sends or receives goes through one worker
 * (e2ee-worker.ts) that seals or opens it: the relay, or anyone in the path, sees only the
 * clear prefix a forwarder needs.
 */
export class MediaEncryption {
  private readonly worker: Worker;
  private readonly protectedTransceivers = new WeakSet<RTCRtpTransceiver>();

  /** Browsers without encoded transforms cannot take part in an encrypted room. */
  static supported(): boolean {
    return typeof (globalThis as { RTCRtpScriptTransform?: unknown }).RTCRtpScriptTransform === 'function';
  }

  constructor() {
    this.worker = new Worker(new URL('./e2ee-worker.ts', import.meta.url), { type: 'module', name: 'confab-e2ee' });
  }

  /** Key `id` opens frames; with `send`, outgoing frames are sealed with it from now on. */
  useKey(id: number, raw: Uint8Array<ArrayBuffer>, send: boolean): void {
    this.post({ type: 'key', id, raw, send });
  }

  /** Seals what `t` sends and opens what it receives (once per transceiver). */
  protect(t: RTCRtpTransceiver, kind: 'audio' | 'video'): void {
    if (this.protectedTransceivers.has(t)) return;
    this.protectedTransceivers.add(t);
    (t.sender as unknown as Transformable).transform = new RTCRtpScriptTransform(this.worker, { side: 'send', kind });
    (t.receiver as unknown as Transformable).transform = new RTCRtpScriptTransform(this.worker, { side: 'receive', kind });
  }

  /** Frames sealed, opened and refused so far, and the key id frames leave under. */
  counts(): Promise<Omit<WorkerReply, 'type'>> {
    return new Promise((resolve) => {
      const listener = (e: MessageEvent<WorkerReply>) => {
        if (e.data.type !== 'counts') return;
        this.worker.removeEventListener('message', listener);
        const { type: _, ...counts } = e.data;
        resolve(counts);
      };
      this.worker.addEventListener('message', listener);
      this.post({ type: 'counts' });
    });
  }

  stop(): void {
    this.worker.terminate();
  }

  private post(m: WorkerRequest): void {
    this.worker.postMessage(m);
  }
}

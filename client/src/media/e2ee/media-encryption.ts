import type { E2eeCounts, WorkerReply, WorkerRequest } from './worker-messages';
import type { RtpMedia } from '../media-kind';

declare const RTCRtpScriptTransform: {
  new (worker: Worker, options: { side: 'send' | 'receive'; kind: RtpMedia }): unknown;
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

  /** Our peer id: which of each epoch's sender keys is ours. Call before any epoch. */
  setSelf(id: string): void {
    this.post({ type: 'self', id });
  }

  /** An epoch's frames open from now on. */
  installEpoch(epoch: number, secret: Uint8Array<ArrayBuffer>, members: string[]): void {
    this.post({ type: 'epoch', epoch, secret, members });
  }

  /** Outgoing frames are sealed under this installed epoch from now on. */
  sendUnder(epoch: number): void {
    this.post({ type: 'send', epoch });
  }

  /** Seals what `t` sends and opens what it receives (once per transceiver). */
  protect(t: RTCRtpTransceiver, kind: RtpMedia): void {
    if (this.protectedTransceivers.has(t)) return;
    this.protectedTransceivers.add(t);
    (t.sender as unknown as Transformable).transform = new RTCRtpScriptTransform(this.worker, { side: 'send', kind });
    (t.receiver as unknown as Transformable).transform = new RTCRtpScriptTransform(this.worker, { side: 'receive', kind });
  }

  /** Frames sealed, opened and refused so far, the epoch frames leave under and the epochs held. */
  counts(): Promise<E2eeCounts> {
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

import { createSignal, type Accessor } from 'solid-js';
import { formatBytes, t } from '../../i18n/i18n';
import type { CallRecorder } from './call-recorder';

/**
 * Start recording / Stop recording for the room: loads the recorder on first use, tells the
 * room through `announce` (the signed participant entry's Recording mark) and saves the file
 * when it stops. One recording at a time.
 */
export class LocalRecording {
  readonly recording: Accessor<boolean>;
  readonly notice: Accessor<string | null>;
  private readonly setRecording: (on: boolean) => void;
  private readonly setNotice: (n: string | null) => void;
  private recorder: CallRecorder | null = null;
  private busy = false;

  constructor(private readonly announce: (on: boolean) => void) {
    [this.recording, this.setRecording] = createSignal(false);
    [this.notice, this.setNotice] = createSignal<string | null>(null);
  }

  static supported(): boolean {
    return typeof MediaRecorder !== 'undefined' && typeof HTMLCanvasElement.prototype.captureStream === 'function';
  }

  async toggle(stage: HTMLElement | undefined): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      if (this.recorder) await this.stop();
      else if (stage) await this.start(stage);
    } finally {
      this.busy = false;
    }
  }

  private async start(stage: HTMLElement): Promise<void> {
    this.setNotice(null);
    try {
      const { CallRecorder } = await import('./call-recorder');
      this.recorder = new CallRecorder(stage);
      this.setRecording(true);
      this.announce(true);
    } catch (err) {
      this.setNotice(t('rec.failed', { message: (err as Error).message }));
    }
  }

  /** Stops and saves; also called when leaving the room mid-recording. */
  async stop(): Promise<void> {
    const recorder = this.recorder;
    if (!recorder) return;
    this.recorder = null;
    this.setRecording(false);
    this.announce(false);
    const { saveRecording } = await import('./call-recorder');
    const result = await recorder.stop();
    saveRecording(result);
    this.setNotice(t('rec.saved', { size: formatBytes(result.blob.size) }));
    setTimeout(() => this.setNotice(null), 6000);
  }
}

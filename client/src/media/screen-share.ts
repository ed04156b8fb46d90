import { createSignal, type Accessor } from 'solid-js';
import { t } from '../i18n/i18n';

/**
 * The screen this person shares: one track at a time, marked as detail content (text stays
 * sharp). Stopping from the browser's own "Stop sharing" bar ends the track, which ends the
 * share here too.
 */
export class ScreenShare {
  readonly track: Accessor<MediaStreamTrack | null>;
  readonly notice: Accessor<string>;
  onChange: (track: MediaStreamTrack | null) => void = () => {};
  private readonly setTrack: (t: MediaStreamTrack | null) => void;
  private readonly setNotice: (n: string) => void;

  constructor() {
    const [track, setTrack] = createSignal<MediaStreamTrack | null>(null);
    const [notice, setNotice] = createSignal('');
    this.track = track;
    this.setTrack = setTrack;
    this.notice = notice;
    this.setNotice = setNotice;
  }

  async start(): Promise<void> {
    if (this.track()) return;
    this.setNotice('');
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: 15 }, audio: false });
    } catch (err) {
      // Picking nothing in the browser's dialog is a choice, not an error.
      if ((err as Error).name !== 'NotAllowedError' && (err as Error).name !== 'AbortError') {
        this.setNotice(t('room.screenShare', { message: (err as Error).message }));
      }
      return;
    }
    const track = stream.getVideoTracks()[0];
    if (!track) return;
    track.contentHint = 'detail';
    track.addEventListener('ended', () => this.stop());
    this.setTrack(track);
    this.onChange(track);
  }

  stop(): void {
    const track = this.track();
    if (!track) return;
    track.stop();
    this.setTrack(null);
    this.onChange(null);
  }
}

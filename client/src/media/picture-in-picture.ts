import { createEffect, createSignal, onCleanup, type Accessor } from 'solid-js';

/** Chromium's Document Picture-in-Picture (not yet in TypeScript's DOM types). */
interface DocumentPictureInPicture {
  requestWindow(options?: { width?: number; height?: number }): Promise<Window>;
  readonly window: Window | null;
}
const documentPip = (): DocumentPictureInPicture | undefined => (window as { documentPictureInPicture?: DocumentPictureInPicture }).documentPictureInPicture;

/** Whether this browser can float a video over other windows at all. */
export function canPictureInPicture(): boolean {
  return documentPip() !== undefined || (typeof document !== 'undefined' && document.pictureInPictureEnabled === true);
}

/**
 * Picture-in-picture: a floating window with whoever is speaking (or the shared screen), kept
 * current as the speaker changes. Document Picture-in-Picture where the browser has it (a
 * small page of our own: the name shows under the video), a video element's PiP elsewhere.
 * The floating video is muted: voices keep playing from the tab. Where the browser offers it
 * (Chrome's automatic PiP for calls), leaving the tab opens it by itself.
 */
export class PictureInPicture {
  readonly open: Accessor<boolean>;
  private readonly setOpen: (on: boolean) => void;
  private video: HTMLVideoElement | null = null;
  private label: HTMLElement | null = null;
  private pipWindow: Window | null = null;

  constructor(private readonly shown: Accessor<{ stream: MediaStream; name: string } | null>) {
    [this.open, this.setOpen] = createSignal(false);
    createEffect(() => {
      const now = this.shown();
      if (!this.video) return;
      const stream = now?.stream ?? null;
      if (this.video.srcObject !== stream) {
        this.video.srcObject = stream;
        void this.video.play().catch(() => undefined);
      }
      if (this.label) this.label.textContent = now?.name ?? '';
    });
    try {
      navigator.mediaSession?.setActionHandler('enterpictureinpicture' as MediaSessionAction, () => void this.start());
    } catch {
      /* not a known action in this browser */
    }
    onCleanup(() => {
      this.stop();
      try {
        navigator.mediaSession?.setActionHandler('enterpictureinpicture' as MediaSessionAction, null);
      } catch {
        /* never set */
      }
    });
  }

  async toggle(): Promise<void> {
    if (this.open()) this.stop();
    else await this.start();
  }

  async start(): Promise<void> {
    if (this.open()) return;
    const pip = documentPip();
    if (pip) {
      const win = await pip.requestWindow({ width: 360, height: 300 });
      this.pipWindow = win;
      const doc = win.document;
      doc.body.style.cssText = 'margin:0;background:#0f1115;color:#eef0f4;font:600 14px system-ui,sans-serif;display:flex;flex-direction:column;height:100vh';
      this.video = doc.createElement('video');
      this.video.style.cssText = 'flex:1;min-height:0;width:100%;object-fit:contain;background:#000';
      this.label = doc.createElement('div');
      this.label.style.cssText = 'padding:6px 10px';
      doc.body.append(this.video, this.label);
      win.addEventListener('pagehide', () => this.closed(), { once: true });
    } else {
      this.video = document.createElement('video');
      this.video.style.cssText = 'position:fixed;width:1px;height:1px;opacity:0;pointer-events:none';
      document.body.append(this.video);
      this.video.addEventListener('leavepictureinpicture', () => this.closed(), { once: true });
    }
    this.video.muted = true;
    this.video.autoplay = true;
    this.video.playsInline = true;
    const now = this.shown();
    this.video.srcObject = now?.stream ?? null;
    if (this.label) this.label.textContent = now?.name ?? '';
    this.setOpen(true);
    if (!pip) {
      await this.video.play().catch(() => undefined);
      await this.video.requestPictureInPicture().catch((err: unknown) => {
        this.closed();
        throw err;
      });
    }
  }

  stop(): void {
    if (this.pipWindow) this.pipWindow.close();
    else if (document.pictureInPictureElement === this.video) void document.exitPictureInPicture().catch(() => undefined);
    this.closed();
  }

  private closed(): void {
    if (this.video && !this.pipWindow) this.video.remove();
    this.video = null;
    this.label = null;
    this.pipWindow = null;
    this.setOpen(false);
  }
}

import { SelfSpeaking } from '../media/speaking/self-speaking';
import type { MediaKind } from '../media/media-kind';

export interface MeshMediaOptions {
  /** Our camera, microphone or shared screen, whatever the path. */
  local(kind: MediaKind): MediaStreamTrack | null;
  /** The relay we use forwards shared screens (an older one does not). */
  relayForwardsScreens(): boolean;
  /** Puts a track on every mesh link (null: nothing). */
  send(kind: MediaKind, track: MediaStreamTrack | null): Promise<void>;
}

/**
 * What this page sends over mesh links: everything in a mesh; nothing once a relay carries our
 * media (but the screen, beside a relay that forwards none); and in a degraded mesh (above the
 * mesh threshold with no relay left) audio to everyone but video only while we speak, so a big
 * room stays within what browsers and uplinks can carry until a relay is back.
 */
export class MeshMedia {
  /** Camera and microphone go over mesh links (not once a relay carries them). */
  private mediaOn = true;
  /** Degraded mesh: whether we speak now, by our own microphone (null: not degraded). */
  private speaking: { watch: SelfSpeaking; now: boolean } | null = null;

  constructor(private readonly o: MeshMediaOptions) {}

  /** What a mesh link sends for `kind` now. */
  track(kind: MediaKind): MediaStreamTrack | null {
    if (kind === 'screen') return this.screenOnMesh() ? this.o.local('screen') : null;
    if (!this.mediaOn) return null;
    if (kind === 'video' && this.speaking && !this.speaking.now) return null;
    return this.o.local(kind);
  }

  get on(): boolean {
    return this.mediaOn;
  }

  /** A relay took our media over (false) or gave it back (true). */
  setOn(on: boolean): void {
    this.mediaOn = on;
    void this.resend(['audio', 'video', 'screen']);
  }

  screenOnMesh(): boolean {
    return this.mediaOn || !this.o.relayForwardsScreens();
  }

  /** Above the mesh threshold with no relay: video only while we speak. */
  setDegraded(degraded: boolean): void {
    if (degraded === !!this.speaking) return;
    if (!degraded) {
      this.speaking!.watch.stop();
      this.speaking = null;
    } else {
      const mic = this.o.local('audio');
      if (!mic) return;
      const speaking: { watch: SelfSpeaking; now: boolean } = {
        now: false,
        watch: new SelfSpeaking(mic, (now) => {
          speaking.now = now;
          console.info(`[confab] degraded mesh: ${now ? 'speaking, sending video' : 'quiet, video held'}`);
          void this.resend(['video']);
        }),
      };
      this.speaking = speaking;
    }
    console.info(`[confab] degraded mesh ${degraded ? 'on: video only from whoever speaks' : 'off'}`);
    void this.resend(['video']);
  }

  /** Our own camera, microphone or screen changed. */
  changed(kind: MediaKind): Promise<void> {
    if (kind === 'audio' && this.speaking) {
      // Listen to the new microphone.
      this.setDegraded(false);
      this.setDegraded(true);
    }
    return this.resend([kind]);
  }

  stop(): void {
    this.setDegraded(false);
  }

  private async resend(kinds: MediaKind[]): Promise<void> {
    await Promise.all(kinds.map((kind) => this.o.send(kind, this.track(kind))));
  }
}

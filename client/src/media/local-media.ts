import { createSignal, type Accessor } from 'solid-js';
import type { MediaKind } from '../net/peer-link';

const VIDEO_CONSTRAINTS: MediaTrackConstraints = { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 24 } };

/** Why a device is unavailable, in words a person can act on. */
export function describeMediaError(err: unknown, what: string): string {
  const name = err instanceof DOMException ? err.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') {
    return `Your browser blocked the ${what}. Allow it in the address bar to be seen or heard.`;
  }
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return `No ${what} was found.`;
  if (name === 'NotReadableError') return `The ${what} is in use by another program.`;
  if (typeof navigator === 'undefined' || !navigator.mediaDevices) {
    return 'This page cannot use a camera or microphone here (it needs https or localhost).';
  }
  return `The ${what} could not be started.`;
}

/**
 * The camera and microphone of this browser. Turning the camera off releases it (the light
 * goes out) and sends no video; turning the mic off mutes the track in place, instantly.
 */
export class LocalMedia {
  readonly stream: Accessor<MediaStream>;
  readonly micOn: Accessor<boolean>;
  readonly camOn: Accessor<boolean>;
  readonly notice: Accessor<string | null>;
  private readonly setStream: (s: MediaStream) => void;
  private readonly setMicOn: (on: boolean) => void;
  private readonly setCamOn: (on: boolean) => void;
  private readonly setNotice: (n: string | null) => void;
  private audio: MediaStreamTrack | null = null;
  private video: MediaStreamTrack | null = null;
  /** Called when a track appears or goes, so peer connections can swap it in. */
  onTrackChange: (kind: MediaKind, track: MediaStreamTrack | null) => void = () => {};

  constructor() {
    [this.stream, this.setStream] = createSignal(new MediaStream(), { equals: false });
    [this.micOn, this.setMicOn] = createSignal(false);
    [this.camOn, this.setCamOn] = createSignal(false);
    [this.notice, this.setNotice] = createSignal<string | null>(null);
  }

  track(kind: MediaKind): MediaStreamTrack | null {
    return kind === 'audio' ? this.audio : this.video;
  }

  /** Ask for camera and mic; fall back to whichever works, and say what is missing. */
  async acquire(want: { mic: boolean; cam: boolean } = { mic: true, cam: true }): Promise<void> {
    const problems: string[] = [];
    try {
      // One request first, so a real browser asks for permission once.
      const both = await getUserMedia({ audio: want.mic, video: want.cam && VIDEO_CONSTRAINTS });
      this.audio = both.getAudioTracks()[0] ?? null;
      this.video = both.getVideoTracks()[0] ?? null;
    } catch {
      // Find out which device is the problem and keep the one that works.
      if (want.mic) {
        try {
          this.audio = (await getUserMedia({ audio: true })).getAudioTracks()[0] ?? null;
        } catch (err) {
          problems.push(describeMediaError(err, 'microphone'));
        }
      }
      if (want.cam) {
        try {
          this.video = (await getUserMedia({ video: VIDEO_CONSTRAINTS })).getVideoTracks()[0] ?? null;
        } catch (err) {
          problems.push(describeMediaError(err, 'camera'));
        }
      }
    }
    this.setMicOn(this.audio !== null);
    this.setCamOn(this.video !== null);
    this.setNotice(problems.length > 0 ? problems.join(' ') + ' You can still join.' : null);
    this.publishStream();
  }

  toggleMic(): void {
    if (!this.audio) return void this.acquireLate('audio');
    const on = !this.micOn();
    this.audio.enabled = on;
    this.setMicOn(on);
  }

  async toggleCam(): Promise<void> {
    if (this.video) {
      this.video.stop();
      this.video = null;
      this.setCamOn(false);
      this.publishStream();
      this.onTrackChange('video', null);
      return;
    }
    await this.acquireLate('video');
  }

  stop(): void {
    this.audio?.stop();
    this.video?.stop();
    this.audio = this.video = null;
    this.setMicOn(false);
    this.setCamOn(false);
  }

  private async acquireLate(kind: MediaKind): Promise<void> {
    try {
      const stream = await getUserMedia(kind === 'audio' ? { audio: true } : { video: VIDEO_CONSTRAINTS });
      const track = stream.getTracks()[0] ?? null;
      if (kind === 'audio') {
        this.audio = track;
        this.setMicOn(track !== null);
      } else {
        this.video = track;
        this.setCamOn(track !== null);
      }
      this.setNotice(null);
      this.publishStream();
      this.onTrackChange(kind, track);
    } catch (err) {
      this.setNotice(describeMediaError(err, kind === 'audio' ? 'microphone' : 'camera'));
    }
  }

  private publishStream(): void {
    this.setStream(new MediaStream([this.audio, this.video].filter((t): t is MediaStreamTrack => t !== null)));
  }
}

function getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) return Promise.reject(new Error('no mediaDevices'));
  return navigator.mediaDevices.getUserMedia(constraints);
}

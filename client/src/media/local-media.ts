import { createSignal, type Accessor } from 'solid-js';
import type { MediaKind } from '../mesh/peer-link';
import { DeviceChoice, type DeviceKind } from './device-choice';
import { t } from '../i18n/i18n';

const VIDEO_CONSTRAINTS: MediaTrackConstraints = { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 24 } };

type Failed = 'microphone' | 'camera';
const failedName = (what: Failed) => t(what === 'microphone' ? 'notice.microphone' : 'notice.camera');

/** Why devices are unavailable, in words a person can act on (`what`: "the camera", in the chosen language). */
export function describeMediaError(err: unknown, what: string, many = false): string {
  const name = err instanceof DOMException ? err.name : '';
  if (typeof navigator === 'undefined' || !navigator.mediaDevices) return t('notice.insecure');
  if (name === 'NotAllowedError' || name === 'SecurityError') return t(many ? 'notice.blockedMany' : 'notice.blocked', { what });
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return t('notice.notFound', { what });
  if (name === 'NotReadableError') return t('notice.inUse', { what });
  return t('notice.failed', { what });
}

/** One notice for every device that failed, grouping those that failed the same way. */
function summarize(failures: { what: Failed; err: unknown }[], joined: boolean): string | null {
  if (failures.length === 0) return null;
  const byMessage = new Map<string, { err: unknown; whats: string[] }>();
  for (const f of failures) {
    const key = describeMediaError(f.err, '');
    const group = byMessage.get(key) ?? { err: f.err, whats: [] };
    group.whats.push(failedName(f.what));
    byMessage.set(key, group);
  }
  const sentences = [...byMessage.values()].map(({ err, whats }) =>
    describeMediaError(err, whats.length > 1 ? t('notice.and', { a: whats[0]!, b: whats[1]! }) : whats[0]!, whats.length > 1),
  );
  const missingAll = failures.length === 2;
  const tail = joined ? '' : missingAll ? ` ${t('notice.joinListen')}` : ` ${t('notice.joinAnyway')}`;
  return sentences.join(' ') + tail;
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
  readonly devices = new DeviceChoice();
  private audio: MediaStreamTrack | null = null;
  private video: MediaStreamTrack | null = null;
  /** Called when a track appears or goes, so peer connections can swap it in. */
  onTrackChange: (kind: MediaKind, track: MediaStreamTrack | null) => void | Promise<void> = () => {};

  constructor() {
    [this.stream, this.setStream] = createSignal(new MediaStream(), { equals: false });
    [this.micOn, this.setMicOn] = createSignal(false);
    [this.camOn, this.setCamOn] = createSignal(false);
    [this.notice, this.setNotice] = createSignal<string | null>(null);
  }

  track(kind: MediaKind): MediaStreamTrack | null {
    return kind === 'audio' ? this.audio : kind === 'video' ? this.video : null;
  }

  /** Ask for camera and mic; fall back to whichever works, and say what is missing. */
  async acquire(want: { mic: boolean; cam: boolean } = { mic: true, cam: true }): Promise<void> {
    const failures: { what: Failed; err: unknown }[] = [];
    try {
      // One request first, so a real browser asks for permission once.
      const both = await getUserMedia({ audio: want.mic && this.devices.constraint('audioinput', true), video: want.cam && this.devices.constraint('videoinput', VIDEO_CONSTRAINTS) });
      this.audio = both.getAudioTracks()[0] ?? null;
      this.video = both.getVideoTracks()[0] ?? null;
    } catch {
      // Find out which device is the problem and keep the one that works.
      if (want.mic) {
        try {
          this.audio = (await getUserMedia({ audio: this.devices.constraint('audioinput', true) })).getAudioTracks()[0] ?? null;
        } catch (err) {
          failures.push({ what: 'microphone', err });
        }
      }
      if (want.cam) {
        try {
          this.video = (await getUserMedia({ video: this.devices.constraint('videoinput', VIDEO_CONSTRAINTS) })).getVideoTracks()[0] ?? null;
        } catch (err) {
          failures.push({ what: 'camera', err });
        }
      }
    }
    this.setMicOn(this.audio !== null);
    this.setCamOn(this.video !== null);
    this.setNotice(summarize(failures, false));
    this.publishStream();
    await this.devices.refresh();
  }

  /**
   * Switches to another camera, microphone or speaker in place: the new track replaces the old
   * one on every connection (no renegotiation, the call goes on). A device that is off only
   * has the choice remembered, for when it is turned on; a speaker applies to every tile.
   */
  async useDevice(kind: DeviceKind, id: string): Promise<void> {
    this.devices.choose(kind, id);
    if (kind === 'audioinput' || kind === 'videoinput') await this.switchInput(kind === 'audioinput' ? 'audio' : 'video', id);
  }

  /**
   * The old device is let go before the new one opens: phones cannot open two cameras at once,
   * and a sender moved straight from one live camera to another sent no more frames in
   * Chromium 156. If the new one fails, the old one comes back.
   */
  private async switchInput(kind: 'audio' | 'video', id: string): Promise<void> {
    const old = this.track(kind);
    if (!old || (id !== '' && old.getSettings().deviceId === id)) return;
    const oldId = old.getSettings().deviceId;
    const what = failedName(kind === 'audio' ? 'microphone' : 'camera');
    await this.onTrackChange(kind, null);
    old.stop();
    let track = await this.openInput(kind, id).catch((err: unknown) => {
      this.setNotice(t('notice.switchFailed', { what, reason: describeMediaError(err, what) }));
      return null;
    });
    track ??= await this.openInput(kind, oldId ?? '').catch(() => null);
    if (kind === 'audio') {
      if (track) track.enabled = this.micOn();
      this.audio = track;
      this.setMicOn(track !== null && this.micOn());
    } else {
      this.video = track;
      this.setCamOn(track !== null);
    }
    this.publishStream();
    await this.onTrackChange(kind, track);
  }

  private async openInput(kind: 'audio' | 'video', id: string): Promise<MediaStreamTrack | null> {
    const deviceId = id === '' ? undefined : { exact: id };
    const stream = await getUserMedia(kind === 'audio' ? { audio: { deviceId } } : { video: { ...VIDEO_CONSTRAINTS, deviceId } });
    return stream.getTracks()[0] ?? null;
  }

  /** Microphone on or off in place (push-to-talk); nothing without a microphone. */
  setMic(on: boolean): void {
    if (!this.audio || this.micOn() === on) return;
    this.audio.enabled = on;
    this.setMicOn(on);
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
      const stream = await getUserMedia(
        kind === 'audio' ? { audio: this.devices.constraint('audioinput', true) } : { video: this.devices.constraint('videoinput', VIDEO_CONSTRAINTS) },
      );
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
      await this.devices.refresh();
    } catch (err) {
      this.setNotice(summarize([{ what: kind === 'audio' ? 'microphone' : 'camera', err }], true));
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

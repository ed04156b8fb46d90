import { createSignal, type Accessor } from 'solid-js';
import { DeviceChoice, type DeviceKind } from './device-choice';
import type { MediaKind, RtpMedia } from './media-kind';
import { t } from '../i18n/i18n';
import { BackgroundChoice } from './background-choice';
import { NoiseChoice } from './noise-preference';

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
 * Processing between a device and the connections (noise suppression, background effects):
 * `start` turns the device's track into the track that is sent and shown; `stop` ends it.
 * One pipeline at a time per effect: `start` again (a new device) replaces the last one, and
 * `stop` ends it (its output track too) yet leaves the effect ready to start again.
 */
export interface MediaEffect {
  start(raw: MediaStreamTrack): Promise<MediaStreamTrack>;
  stop(): void;
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
  /** Noise suppression and background effects: chosen here, remembered, applied before encoding. */
  readonly noise: NoiseChoice;
  readonly background: BackgroundChoice;
  /** The devices' own tracks. */
  private audio: MediaStreamTrack | null = null;
  private video: MediaStreamTrack | null = null;
  /** What effects made of them (null: sent as they are). */
  private processed: { audio: MediaStreamTrack | null; video: MediaStreamTrack | null } = { audio: null, video: null };
  private effects: { audio: MediaEffect | null; video: MediaEffect | null } = { audio: null, video: null };
  /** Called when a track appears or goes, so peer connections can swap it in. */
  onTrackChange: (kind: MediaKind, track: MediaStreamTrack | null) => void | Promise<void> = () => {};

  constructor() {
    [this.stream, this.setStream] = createSignal(new MediaStream(), { equals: false });
    [this.micOn, this.setMicOn] = createSignal(false);
    [this.camOn, this.setCamOn] = createSignal(false);
    [this.notice, this.setNotice] = createSignal<string | null>(null);
    this.noise = new NoiseChoice(this);
    this.background = new BackgroundChoice(this);
  }

  /** The track that is sent (after any effect). */
  track(kind: MediaKind): MediaStreamTrack | null {
    return kind === 'audio' ? (this.processed.audio ?? this.audio) : kind === 'video' ? (this.processed.video ?? this.video) : null;
  }

  /** The device's own track, before effects (device settings read it). */
  deviceTrack(kind: RtpMedia): MediaStreamTrack | null {
    return kind === 'audio' ? this.audio : this.video;
  }

  /**
   * Puts an effect between the device and the connections (null: none), replacing the sent
   * track in place on every connection. If the effect fails to start, the plain track is sent
   * and the error is thrown for the caller to tell.
   */
  async setEffect(kind: RtpMedia, effect: MediaEffect | null): Promise<void> {
    if (this.effects[kind] === effect) return;
    this.effects[kind]?.stop();
    this.effects[kind] = effect;
    await this.reprocess(kind);
  }

  effect(kind: RtpMedia): MediaEffect | null {
    return this.effects[kind];
  }

  /** Runs the effect (if any) on the device's current track and sends the result. */
  private async reprocess(kind: RtpMedia, announce = true): Promise<void> {
    const raw = kind === 'audio' ? this.audio : this.video;
    const before = this.track(kind);
    const effect = this.effects[kind];
    this.processed[kind] = null;
    let failure: unknown = null;
    if (raw && effect) {
      try {
        const out = await effect.start(raw);
        // The device may have changed meanwhile: only a result for the current one counts.
        if ((kind === 'audio' ? this.audio : this.video) === raw && this.effects[kind] === effect) {
          out.enabled = raw.enabled;
          this.processed[kind] = out;
        }
      } catch (err) {
        failure = err;
        if (this.effects[kind] === effect) this.effects[kind] = null;
        effect.stop();
      }
    }
    const now = this.track(kind);
    if (now !== before) {
      this.publishStream();
      if (announce) await this.onTrackChange(kind, now);
    }
    if (failure) throw failure;
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
    await Promise.all([this.reprocess('audio', false).catch(() => undefined), this.reprocess('video', false).catch(() => undefined)]);
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
  private async switchInput(kind: RtpMedia, id: string): Promise<void> {
    const old = kind === 'audio' ? this.audio : this.video;
    if (!old || (id !== '' && old.getSettings().deviceId === id)) return;
    const oldId = old.getSettings().deviceId;
    const what = failedName(kind === 'audio' ? 'microphone' : 'camera');
    await this.onTrackChange(kind, null);
    this.effects[kind]?.stop();
    this.processed[kind] = null;
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
    await this.reprocess(kind, false).catch(() => undefined);
    this.publishStream();
    await this.onTrackChange(kind, this.track(kind));
  }

  private async openInput(kind: RtpMedia, id: string): Promise<MediaStreamTrack | null> {
    const deviceId = id === '' ? undefined : { exact: id };
    const stream = await getUserMedia(kind === 'audio' ? { audio: { deviceId } } : { video: { ...VIDEO_CONSTRAINTS, deviceId } });
    return stream.getTracks()[0] ?? null;
  }

  /** Microphone on or off in place (push-to-talk); nothing without a microphone. */
  setMic(on: boolean): void {
    if (!this.audio || this.micOn() === on) return;
    this.audio.enabled = on;
    if (this.processed.audio) this.processed.audio.enabled = on;
    this.setMicOn(on);
  }

  toggleMic(): void {
    if (!this.audio) return void this.acquireLate('audio');
    const on = !this.micOn();
    this.audio.enabled = on;
    if (this.processed.audio) this.processed.audio.enabled = on;
    this.setMicOn(on);
  }

  async toggleCam(): Promise<void> {
    if (this.video) {
      this.video.stop();
      this.video = null;
      this.effects.video?.stop();
      this.processed.video = null;
      this.setCamOn(false);
      this.publishStream();
      this.onTrackChange('video', null);
      return;
    }
    await this.acquireLate('video');
  }

  stop(): void {
    this.effects.audio?.stop();
    this.effects.video?.stop();
    this.processed = { audio: null, video: null };
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
      if (kind !== 'screen') await this.reprocess(kind, false).catch(() => undefined);
      this.publishStream();
      this.onTrackChange(kind, this.track(kind));
      await this.devices.refresh();
    } catch (err) {
      this.setNotice(summarize([{ what: kind === 'audio' ? 'microphone' : 'camera', err }], true));
    }
  }

  private publishStream(): void {
    this.setStream(new MediaStream([this.track('audio'), this.track('video')].filter((t): t is MediaStreamTrack => t !== null)));
  }
}

function getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) return Promise.reject(new Error('no mediaDevices'));
  return navigator.mediaDevices.getUserMedia(constraints);
}

import type { IceCandidateInit, LinkSignal } from '../../../crdt/protocol/wire';
import { preferVp8 } from '../media/e2ee/codec-order';
import { type MediaKind, type RtpMedia, rtpMediaOf } from '../media/media-kind';

/** What a link carries, one transceiver each, in this m-line order on both sides. */
const SLOTS: readonly MediaKind[] = ['audio', 'video', 'screen'];
/** Screens are text and detail: keep the resolution, drop frames instead. */
const SCREEN_MAX_FPS = 10;

export type { LinkSignal };

export interface PeerLinkOptions {
  remoteId: string;
  /** The polite side yields when both offer at once (perfect negotiation). */
  polite: boolean;
  send(signal: LinkSignal): void;
  localTrack(kind: MediaKind): MediaStreamTrack | null;
  rtcConfig?: RTCConfiguration;
  PeerConnection?: typeof RTCPeerConnection;
  onTrack?(track: MediaStreamTrack, kind: MediaKind): void;
  onChannelOpen?(): void;
  onData?(bytes: Uint8Array): void;
  /** The link is gone for good (closed channel, bye, or closed by the mesh). */
  onClose?(reason: string): void;
  onConnectionState?(state: RTCPeerConnectionState): void;
  /** Called for every media transceiver as it appears (end-to-end encryption attaches here). */
  protect?(t: RTCRtpTransceiver, media: RtpMedia): void;
}

/** A data channel refuses to queue more than this; the room state can always resync. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/**
 * One RTCPeerConnection to one remote peer, carrying audio, video and one data channel, with
 * perfect negotiation (glare-safe) and ICE candidates queued until the remote description is
 * set. The impolite side calls start() and makes the first offer; the polite side is created
 * when that offer arrives and attaches its tracks to the offered transceivers, so one
 * offer/answer sets up media both ways.
 */
export class PeerLink {
  readonly pc: RTCPeerConnection;
  private channel: RTCDataChannel | null = null;
  private makingOffer = false;
  private ignoreOffer = false;
  private pendingCandidates: RTCIceCandidateInit[] = [];
  private incoming: Promise<void> = Promise.resolve();
  private closed = false;
  /** Which connection this is (see LinkSignal): set by start(), or by the first offer. */
  private dialMs: number | undefined;

  constructor(private readonly opts: PeerLinkOptions) {
    const Impl = opts.PeerConnection ?? RTCPeerConnection;
    this.pc = new Impl(opts.rtcConfig ?? { iceServers: [] });
    this.pc.onicecandidate = ({ candidate }) => {
      this.send({ kind: 'candidate', candidate: candidate ? (candidate.toJSON() as IceCandidateInit) : null });
    };
    this.pc.onnegotiationneeded = () => void this.offer();
    this.pc.ontrack = ({ track, transceiver }) => {
      const kind = this.slotOf(transceiver);
      if (kind) opts.onTrack?.(track, kind);
    };
    this.pc.ondatachannel = ({ channel }) => this.attachChannel(channel);
    this.pc.onconnectionstatechange = () => {
      const state = this.pc.connectionState;
      // A failed connection is not closed here: the mesh restarts ICE or redials (link-recovery.ts).
      opts.onConnectionState?.(state);
    };
  }

  get remoteId(): string {
    return this.opts.remoteId;
  }

  get dial(): number | undefined {
    return this.dialMs;
  }

  /** Impolite side: add our media and the data channel; negotiationneeded sends the offer. */
  start(): void {
    this.dialMs ??= Date.now();
    for (const kind of SLOTS) {
      const t = this.pc.addTransceiver(this.opts.localTrack(kind) ?? rtpMediaOf(kind), { direction: 'sendrecv' });
      if (kind !== 'audio') preferVp8(t);
      this.opts.protect?.(t, rtpMediaOf(kind));
      if (kind === 'screen') void tuneForScreen(t.sender);
    }
    this.attachChannel(this.pc.createDataChannel('confab', { ordered: true }));
  }

  /** Signals are applied strictly in arrival order, whatever each step awaits. */
  handle(signal: LinkSignal): Promise<void> {
    // Adopted on arrival, not when applied: a redial offer right behind must see it.
    if (signal.kind === 'description' && signal.description.type === 'offer') this.dialMs ??= signal.dial;
    this.incoming = this.incoming.then(() => this.apply(signal)).catch((err: unknown) => {
      console.warn(`[confab] signal from ${this.opts.remoteId} failed:`, err);
    });
    return this.incoming;
  }

  async replaceTrack(kind: MediaKind, track: MediaStreamTrack | null): Promise<void> {
    const t = this.pc.getTransceivers()[SLOTS.indexOf(kind)];
    if (!t || isStopped(t)) return;
    await t.sender.replaceTrack(track);
    if (kind === 'screen' && track) await tuneForScreen(t.sender);
  }

  /** Impolite side, network trouble: new ICE credentials; negotiationneeded sends the offer. */
  restartIce(): void {
    if (!this.closed) this.pc.restartIce();
  }

  sendData(bytes: Uint8Array): boolean {
    const ch = this.channel;
    if (!ch || ch.readyState !== 'open' || ch.bufferedAmount > MAX_BUFFERED_BYTES) return false;
    ch.send(bytes as Uint8Array<ArrayBuffer>);
    return true;
  }

  get channelOpen(): boolean {
    return this.channel?.readyState === 'open';
  }

  close(reason = 'closed'): void {
    if (this.closed) return;
    this.closed = true;
    this.channel?.close();
    this.pc.close();
    this.opts.onClose?.(reason);
  }

  private send(signal: LinkSignal): void {
    this.opts.send(this.dialMs === undefined ? signal : { ...signal, dial: this.dialMs });
  }

  private async offer(): Promise<void> {
    try {
      this.makingOffer = true;
      await this.pc.setLocalDescription();
      const local = this.pc.localDescription;
      if (local) this.send({ kind: 'description', description: { type: local.type, sdp: local.sdp } });
    } catch (err) {
      console.warn('[confab] offer failed:', err);
    } finally {
      this.makingOffer = false;
    }
  }

  private async apply(signal: LinkSignal): Promise<void> {
    if (this.closed) return;
    // Late signals of a connection this one replaced (or was replaced by): not ours.
    if (signal.dial !== undefined && this.dialMs !== undefined && signal.dial !== this.dialMs) return;
    if (signal.kind === 'candidate') {
      const candidate = signal.candidate ?? undefined;
      if (!this.pc.remoteDescription) {
        if (candidate) this.pendingCandidates.push(candidate);
        return;
      }
      await this.addCandidate(candidate);
      return;
    }
    if (signal.kind !== 'description') return;
    const { description } = signal;
    const offerCollision =
      description.type === 'offer' && (this.makingOffer || this.pc.signalingState !== 'stable');
    this.ignoreOffer = !this.opts.polite && offerCollision;
    if (this.ignoreOffer) return;
    await this.pc.setRemoteDescription(description);
    for (const t of this.pc.getTransceivers()) {
      const kind = this.slotOf(t);
      if (kind && kind !== 'audio' && description.type === 'offer') preferVp8(t); // our answer picks VP8
      if (kind) this.opts.protect?.(t, rtpMediaOf(kind));
    }
    if (description.type === 'offer') {
      await this.attachLocalTracks();
      await this.pc.setLocalDescription();
      const local = this.pc.localDescription;
      if (local) this.send({ kind: 'description', description: { type: local.type, sdp: local.sdp } });
    }
    for (const candidate of this.pendingCandidates.splice(0)) await this.addCandidate(candidate);
  }

  /** Polite side: answer the offered transceivers with our own tracks (no second round trip). */
  private async attachLocalTracks(): Promise<void> {
    for (const t of this.pc.getTransceivers()) {
      const kind = this.slotOf(t);
      if (!kind || isStopped(t) || t.sender.track || t.currentDirection !== null) continue;
      t.direction = 'sendrecv';
      if (kind === 'screen') void tuneForScreen(t.sender);
      const track = this.opts.localTrack(kind);
      if (track) await t.sender.replaceTrack(track);
    }
  }

  private slotOf(t: RTCRtpTransceiver): MediaKind | undefined {
    return SLOTS[this.pc.getTransceivers().indexOf(t)];
  }

  private async addCandidate(candidate: RTCIceCandidateInit | undefined): Promise<void> {
    try {
      await this.pc.addIceCandidate(candidate);
    } catch (err) {
      if (!this.ignoreOffer) console.warn('[confab] bad ICE candidate:', err);
    }
  }

  private attachChannel(channel: RTCDataChannel): void {
    this.channel = channel;
    channel.binaryType = 'arraybuffer';
    channel.onopen = () => this.opts.onChannelOpen?.();
    channel.onmessage = ({ data }) => {
      if (data instanceof ArrayBuffer) this.opts.onData?.(new Uint8Array(data));
    };
    channel.onclose = () => this.close('channel closed');
  }
}

export async function tuneForScreen(sender: RTCRtpSender): Promise<void> {
  try {
    const params = sender.getParameters();
    params.degradationPreference = 'maintain-resolution';
    for (const encoding of params.encodings ?? []) encoding.maxFramerate = SCREEN_MAX_FPS;
    await sender.setParameters(params);
  } catch {
    /* before negotiation there may be no encodings yet; the defaults still work */
  }
}

function isStopped(t: RTCRtpTransceiver): boolean {
  return t.currentDirection === 'stopped' || t.direction === 'stopped';
}

import { layerForTile } from './net/relay-layers';
import { RelayLink, type RelayCredentials, type RelayLinkState } from './net/relay-link';
import { RelayRoomChannel, type MessageSealer, type RelayRoomHandlers } from './net/relay-room-channel';
import { SlotPlan } from './net/relay-slots';

/** Down slots asked of the relay: tiles shown at once, and voices heard at once. */
const VIDEO_SLOTS = 16;
const AUDIO_SLOTS = 3;

export interface RelayMediaOptions {
  url: string;
  room: string;
  selfId: string;
  credentials: RelayCredentials;
  localTrack(kind: 'audio' | 'video'): MediaStreamTrack | null;
  rtcConfig?: RTCConfiguration;
  protect?(t: RTCRtpTransceiver, media: 'audio' | 'video'): void;
  /** Room state and media keys through the relay: sealed with this, handled by those. */
  sealer: MessageSealer;
  roomHandlers: RelayRoomHandlers;
  /** Something the views show changed: publishers, who speaks, the connection. */
  onChange(): void;
}

/**
 * Relay mode's media for the room session: one RelayLink, which of its video slots shows whom
 * (at the layer the tile size needs), and whose voice each audio slot carries.
 */
export class RelayMedia {
  state: RelayLinkState = 'connecting';
  private readonly link: RelayLink;
  readonly roomChannel: RelayRoomChannel;
  private readonly plan = new SlotPlan(VIDEO_SLOTS);
  private others: string[] = [];
  private speakers: (string | null)[] = [];
  private tileWidthPx = 320;
  /** Whose tiles are on screen (null: everyone's). Only they hold a video slot. */
  private visible: ReadonlySet<string> | null = null;
  private large: { id: string; widthPx: number } | null = null;

  constructor(opts: RelayMediaOptions) {
    this.link = new RelayLink({
      url: opts.url,
      room: opts.room,
      selfId: opts.selfId,
      credentials: opts.credentials,
      localTrack: opts.localTrack,
      rtcConfig: opts.rtcConfig,
      protect: opts.protect,
      videoSlots: VIDEO_SLOTS,
      audioSlots: AUDIO_SLOTS,
      onPublishers: (peers) => {
        this.others = peers.filter((p) => p !== opts.selfId);
        this.resubscribe();
        opts.onChange();
      },
      onSpeakers: (slots) => {
        this.speakers = slots;
        opts.onChange();
      },
      onState: (state) => {
        this.state = state;
        opts.onChange();
      },
    });
    this.roomChannel = new RelayRoomChannel(this.link.roomData, opts.selfId, opts.sealer, opts.roomHandlers);
  }

  start(): Promise<void> {
    return this.link.start();
  }

  /** Everyone else who publishes through the relay. */
  publishers(): string[] {
    return this.others;
  }

  /** The slot track showing `peer`'s camera, if it has a slot. */
  videoReceiverOf(peer: string): RTCRtpReceiver | undefined {
    const slot = this.plan.slotOf(peer);
    return slot === undefined ? undefined : this.link.videoReceivers[slot];
  }

  /** The audio slot carrying `peer`'s voice now (only the loudest few are forwarded). */
  audioReceiverOf(peer: string): RTCRtpReceiver | undefined {
    const slot = this.speakers.indexOf(peer);
    return slot < 0 ? undefined : this.link.audioReceivers[slot];
  }

  /** The one connection to the relay (its stats: our uplink in relay mode). */
  get connection(): RTCPeerConnection {
    return this.link.pc;
  }

  /** Whom the relay ranks loudest now (its first audio slot), if anyone. */
  loudest(): string | null {
    return this.speakers[0] ?? null;
  }

  /** One track per audio slot, to play whatever the relay forwards. */
  audioTracks(): MediaStreamTrack[] {
    return this.link.audioReceivers.map((r) => r.track);
  }

  /** Every tile is this wide now (CSS px): each asks for the layer that fits. */
  setTileWidth(px: number): void {
    if (px === this.tileWidthPx) return;
    this.tileWidthPx = px;
    this.resubscribe();
  }

  /** The one large tile (speaker layout) and its width: it asks for the layer its size needs. */
  setLargeTile(large: { id: string; widthPx: number } | null): void {
    if (large?.id === this.large?.id && large?.widthPx === this.large?.widthPx) return;
    this.large = large;
    this.resubscribe();
  }

  /** Tiles on another page cost nothing: their publishers lose their slot until shown again. */
  setVisible(ids: ReadonlySet<string> | null): void {
    this.visible = ids;
    this.resubscribe();
  }

  replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack | null): Promise<void> {
    return this.link.replaceTrack(kind, track);
  }

  close(): void {
    this.roomChannel.close();
    this.link.close();
  }

  private resubscribe(): void {
    const ratio = globalThis.devicePixelRatio ?? 1;
    const layer = layerForTile(this.tileWidthPx, true, ratio);
    const large = this.large;
    const largeLayer = large && layerForTile(large.widthPx, true, ratio);
    const visible = this.visible;
    const shown = visible ? this.others.filter((p) => visible.has(p)) : this.others;
    for (const s of this.plan.plan(shown, (p) => (largeLayer && p === large.id ? largeLayer : layer))) this.link.subscribe(s.tile, s.publisher, s.layer);
  }
}

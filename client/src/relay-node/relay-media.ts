import { layerForTile } from './relay-layers';
import { RelayLink, type RelayLinkOptions, type RelayLinkState } from './relay-link';
import { RelayRoomChannel, type MessageSealer, type RelayRoomHandlers } from './relay-room-channel';
import { SlotPlan } from './relay-slots';
import type { MediaKind } from '../media/media-kind';

/** Down slots asked of the relay: tiles shown at once, and voices heard at once. */
const VIDEO_SLOTS = 16;
const AUDIO_SLOTS = 3;
/** One more video slot, after the tiles' ones: the shared screen on the stage. */
const SCREEN_SLOT = VIDEO_SLOTS;

/** What the relay link needs as it is (its url, room, credentials, our tracks…), and what relay mode adds. */
export interface RelayMediaOptions extends Pick<RelayLinkOptions, 'url' | 'room' | 'selfId' | 'credentials' | 'localTrack' | 'rtcConfig' | 'protect'> {
  /** Room state and media keys through the relay: sealed with this, handled by those. */
  sealer: MessageSealer;
  roomHandlers: RelayRoomHandlers;
  /** The room server's own relay, not one someone joined to the room. */
  trusted: boolean;
  /** Something the views show changed: publishers, who speaks, the connection. */
  onChange(): void;
}

/**
 * Relay mode's media for the room session: one RelayLink, which of its video slots shows whom
 * (at the layer the tile size needs), whose screen its screen slot shows, and whose voice each
 * audio slot carries.
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
  /** Whose shared screen the stage shows (null: nobody's), and whose the screen slot carries. */
  private presenter: string | null = null;
  private screenShown: string | null = null;
  /** The screen slot's track, as one stream object for as long as the link lives. */
  private screenStream: MediaStream | null = null;

  private readonly onChange: () => void;

  constructor(opts: RelayMediaOptions) {
    this.onChange = opts.onChange;
    this.link = new RelayLink({
      url: opts.url,
      room: opts.room,
      selfId: opts.selfId,
      credentials: opts.credentials,
      localTrack: opts.localTrack,
      rtcConfig: opts.rtcConfig,
      protect: opts.protect,
      videoSlots: VIDEO_SLOTS + 1,
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
    this.roomChannel = new RelayRoomChannel(this.link.roomData, opts.selfId, opts.sealer, opts.roomHandlers, opts.trusted, () => this.link.fail());
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

  /** The screen slot, while it shows `peer`'s shared screen. */
  screenReceiverOf(peer: string): RTCRtpReceiver | undefined {
    return peer === this.screenShown ? this.link.videoReceivers[SCREEN_SLOT] : undefined;
  }

  /** `peer`'s shared screen as the stage plays it (the same stream object every time), while the screen slot shows it. */
  screenStreamOf(peer: string): MediaStream | undefined {
    const receiver = this.screenReceiverOf(peer);
    if (!receiver) return undefined;
    return (this.screenStream ??= new MediaStream([receiver.track]));
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

  /** Whose voice each audio slot carries now, as the relay last said. */
  voices(): readonly (string | null)[] {
    return this.speakers;
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

  /** Whose shared screen the stage shows (null: none): the screen slot shows it while that person publishes here. */
  setPresenter(id: string | null): void {
    if (id === this.presenter) return;
    this.presenter = id;
    this.resubscribe();
  }

  /** The person pinned on the stage: heard whenever they speak, even when not among the loudest. */
  setPinned(id: string | null): void {
    this.link.pin(id);
  }

  /** Tiles on another page cost nothing: their publishers lose their slot until shown again. */
  setVisible(ids: ReadonlySet<string> | null): void {
    this.visible = ids;
    this.resubscribe();
  }

  replaceTrack(kind: MediaKind, track: MediaStreamTrack | null): Promise<void> {
    return this.link.replaceTrack(kind, track);
  }

  /** The relay forwards shared screens (its welcome said so); an older one does not. */
  get forwardsScreens(): boolean {
    return this.link.forwardsScreens;
  }

  /** Our screen transceiver is unpaused: someone watches our screen through the relay. */
  get screenActive(): boolean {
    return this.link.screenActive;
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
    this.resubscribeScreen();
  }

  /** The screen slot follows the presenter, while the presenter publishes here (and the relay forwards screens). */
  private resubscribeScreen(): void {
    const want = this.presenter && this.link.forwardsScreens && this.others.includes(this.presenter) ? this.presenter : null;
    if (want === this.screenShown) return;
    const before = this.screenShown;
    this.screenShown = want;
    // Freed when a publisher leaves: the relay drops its watchers then.
    if (before && !want && this.others.includes(before)) this.link.subscribe(SCREEN_SLOT, before, 'none', 'screen');
    if (want) this.link.subscribe(SCREEN_SLOT, want, 'high', 'screen');
    this.onChange();
  }
}

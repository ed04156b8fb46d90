import { createSignal, type Accessor } from 'solid-js';
import type { RelayOffer } from '../../crdt/wire';
import { chooseTopology, type Topology } from './net/topology';
import type { RelayCredentials } from './net/relay-link';
import { RelayMedia } from './relay-media';

/** People arriving together (a burst of announcements) cause one switch, not several. */
const TOPOLOGY_SETTLE_MS = 500;
const RELAY_RETRY_MS = 5_000;

/** What the room session lends the switch. */
export interface TopologyHost {
  meshPeerIds(): string[];
  relayOffer(): RelayOffer | null;
  relayUrl(): string;
  /** Opaque room key for the relay: the room's signaling topic. */
  roomKey(): Promise<string>;
  selfId(): string;
  /** Proves our participant key to the relay and hands it the room's control records. */
  relayCredentials(): RelayCredentials;
  localTrack(kind: 'audio' | 'video'): MediaStreamTrack | null;
  iceServers(): RTCIceServer[];
  /** Seals and opens the relay link's media end to end, as on mesh links. */
  protect(t: RTCRtpTransceiver, media: 'audio' | 'video'): void;
  /** Our camera and microphone on mesh links, or not. */
  setMeshMedia(on: boolean): void;
  /** The relay carrying the room's media, for the room document (null: a mesh). */
  recordRelay(url: string | null): void;
  /** What the tiles show may have changed. */
  changed(): void;
}

/**
 * Mesh or relay for one room session (PROTOCOL.md, "Topology"): counts the people known, opens
 * and closes the relay link, and moves our media between mesh links and the relay, making the
 * new path before breaking the old.
 */
export class TopologySwitch {
  readonly topology: Accessor<Topology>;
  private readonly setTopology: (t: Topology) => void;
  /** The relay failed us and the room runs as a mesh until it answers again. */
  readonly relayLost: Accessor<boolean>;
  private readonly setRelayLost: (lost: boolean) => void;
  private relay: RelayMedia | null = null;
  private settleTimer: ReturnType<typeof setTimeout> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private tileWidthPx = 320;
  private visible: ReadonlySet<string> | null = null;
  private large: { id: string; widthPx: number } | null = null;
  private closed = false;

  constructor(private readonly host: TopologyHost) {
    [this.topology, this.setTopology] = createSignal<Topology>('mesh');
    [this.relayLost, this.setRelayLost] = createSignal(false);
  }

  /** The relay link, once it carries media. */
  connectedRelay(): RelayMedia | null {
    return this.relay?.state === 'connected' ? this.relay : null;
  }

  /** After people come or go: switch once the count has settled a moment. */
  reconsider(): void {
    clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => {
      if (this.closed) return;
      const want = chooseTopology(this.peopleCount(), this.host.relayOffer());
      if (want !== this.topology()) void this.switchTo(want);
    }, TOPOLOGY_SETTLE_MS);
  }

  /** Whose tiles are on screen (null: everyone's); the others get no video from the relay. */
  setVisible(ids: ReadonlySet<string> | null): void {
    this.visible = ids;
    this.relay?.setVisible(ids);
  }

  setLargeTile(large: { id: string; widthPx: number } | null): void {
    this.large = large;
    this.relay?.setLargeTile(large);
  }

  setTileWidth(px: number): void {
    this.tileWidthPx = px;
    this.relay?.setTileWidth(px);
  }

  replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack | null): void {
    void this.relay?.replaceTrack(kind, track);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.settleTimer);
    clearTimeout(this.retryTimer);
    this.relay?.close();
    this.relay = null;
  }

  /** Everyone we know of, us included: mesh peers and, in relay mode, the relay's publishers. */
  private peopleCount(): number {
    return new Set([...this.host.meshPeerIds(), ...(this.relay?.publishers() ?? [])]).size + 1;
  }

  private async switchTo(topology: Topology): Promise<void> {
    console.info(`[confab] topology: ${topology} (${this.peopleCount()} people)`);
    this.setTopology(topology);
    if (topology === 'mesh') {
      this.setRelayLost(false);
      this.host.setMeshMedia(true);
      this.host.recordRelay(null);
      this.relay?.close();
      this.relay = null;
      this.host.changed();
      return;
    }
    const url = this.host.relayUrl();
    let carrying = false;
    const relay = (this.relay = new RelayMedia({
      url,
      room: await this.host.roomKey(),
      selfId: this.host.selfId(),
      credentials: this.host.relayCredentials(),
      localTrack: (kind) => this.host.localTrack(kind),
      rtcConfig: { iceServers: this.host.iceServers() },
      protect: (t, media) => this.host.protect(t, media),
      onChange: () => {
        if (this.relay !== relay) return;
        // Make before break: mesh links stop carrying our camera once the relay does.
        if (relay.state === 'connected' && !carrying) {
          carrying = true;
          this.setRelayLost(false);
          this.host.setMeshMedia(false);
          this.host.recordRelay(url);
        }
        if (relay.state === 'failed') this.relayFailed(relay);
        this.host.changed();
        this.reconsider();
      },
    }));
    relay.setTileWidth(this.tileWidthPx);
    relay.setVisible(this.visible);
    relay.setLargeTile(this.large);
    await relay.start().catch((err: unknown) => {
      console.warn('[confab] relay link failed:', err);
      this.relayFailed(relay);
    });
  }

  /** The relay is unreachable or dropped us: back to a mesh, and try the relay again a little later. */
  private relayFailed(relay: RelayMedia): void {
    if (this.relay !== relay) return;
    console.warn('[confab] relay link lost: back to a mesh for now');
    this.relay = null;
    relay.close();
    this.host.setMeshMedia(true);
    this.setTopology('mesh');
    this.setRelayLost(true);
    this.host.recordRelay(null);
    this.host.changed();
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.reconsider(), RELAY_RETRY_MS);
  }
}

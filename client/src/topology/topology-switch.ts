import { createSignal, type Accessor } from 'solid-js';
import { relayControlUrl, serverRelayIdFor, type RelaySignal } from '../../../crdt/protocol/relay-presence';
import { allowedRelays, pickRelay, RelayDirectory, roomMeshMax, type KnownRelay } from './relay-election';
import { JoinedRelayList } from './joined-relay-list';
import { chooseTopology, type Topology } from './topology';
import type { OpenRelay, StageView, TopologyHost } from './topology-host';
import { RelayMedia } from '../relay-node/relay-media';
import { markJoin } from '../session/join-timeline';
import type { MediaKind } from '../media/media-kind';

/** People arriving together (a burst of announcements) cause one switch, not several. */
const TOPOLOGY_SETTLE_MS = 500;
/** Back in a mesh with every relay marked failed: when to look again if no cooldown says. */
const RELAY_RETRY_MS = 5_000;
/**
 * A relay link not carrying media this long after it was opened counts as failed (a host that
 * drops packets leaves the socket or ICE hanging). Generous: on a loaded machine a healthy link
 * has taken 15 s (two cores at load 40).
 */
const RELAY_CONNECT_TIMEOUT_MS = 20_000;

interface RelayUse {
  relay: RelayMedia;
  target: KnownRelay;
  /** Our media goes through it (its connection came up). */
  carrying: boolean;
  timer?: ReturnType<typeof setTimeout>;
}

/**
 * Mesh or relay, and which relay, for one room session (PROTOCOL.md, "Topology" and "Relays in
 * a room"): counts the people known, elects a relay among those known, opens and closes relay
 * links, and moves our media between mesh links and relays, making the new path before breaking
 * the old. A relay that fails is marked failed for a while and the next one is elected; only
 * when none is left does the room fall back to the mesh.
 */
export class TopologySwitch implements StageView {
  readonly topology: Accessor<Topology>;
  private readonly setTopology: (t: Topology) => void;
  /** Every relay failed us and the room runs as a mesh until one answers again. */
  readonly relayLost: Accessor<boolean>;
  private readonly setRelayLost: (lost: boolean) => void;
  readonly relays = new RelayDirectory();
  /** The joined relays announced in the room, for the host's "Your room" panel. */
  readonly joined = new JoinedRelayList(this.relays, () => this.carrier()?.target.id ?? null);
  /** The relay we use or are opening. */
  private use: RelayUse | null = null;
  /** The relay we are leaving, still carrying our media until `use` does (a switch to the room's choice). */
  private leaving: RelayUse | null = null;
  private roomTopic: string | null = null;
  private lastRecorded: string | null = null;
  private settleTimer: ReturnType<typeof setTimeout> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private tileWidthPx = 320;
  private visible: ReadonlySet<string> | null = null;
  private large: { id: string; widthPx: number } | null = null;
  private presenter: string | null = null;
  private pinned: string | null = null;
  private closed = false;

  constructor(
    private readonly host: TopologyHost,
    private readonly openRelay: OpenRelay = (opts) => new RelayMedia(opts),
  ) {
    [this.topology, this.setTopology] = createSignal<Topology>('mesh');
    [this.relayLost, this.setRelayLost] = createSignal(false);
  }

  /** The relay link that carries media now. */
  connectedRelay(): RelayMedia | null {
    for (const u of [this.use, this.leaving]) if (u?.relay.state === 'connected') return u.relay;
    return null;
  }

  /** The control URL of the relay that carries our media now (null: none). */
  relayInUse(): string | null {
    return this.carrier()?.target.url ?? null;
  }

  /** After people come or go, relays come or go, or the room's choice changes: decide once things settle. */
  reconsider(): void {
    // A mesh page of a room already above the mesh limit goes to the relay at once (a newcomer
    // to a big room): more arrivals could not change that answer, so there is nothing to settle.
    if (!this.use && !this.closed) {
      const { relay, topology } = this.target(Date.now());
      if (relay && topology === 'relay') {
        clearTimeout(this.settleTimer);
        this.settleTimer = undefined;
        this.decide();
        return;
      }
    }
    // Not pushed back by later calls: a relay's frequent updates must not postpone it forever.
    this.settleTimer ??= setTimeout(() => {
      this.settleTimer = undefined;
      this.decide();
    }, TOPOLOGY_SETTLE_MS);
  }

  /** The room document changed: if another peer moved the room to a relay we know, follow it (relay-election.ts). */
  recordedRelayChanged(url: string | null): void {
    if (url === this.lastRecorded) return;
    this.lastRecorded = url;
    this.reconsider();
  }

  /** A welcome frame arrived: the room's own server may (still) offer a relay. */
  async welcomed(): Promise<void> {
    const offer = this.host.relayOffer();
    const url = offer ? relayControlUrl(this.host.relayUrl()) : null;
    this.relays.setOrigin(offer && url ? { id: await serverRelayIdFor(url), url, meshMax: offer.meshMax } : null);
    this.reconsider();
  }

  /**
   * A relay announced itself, or said goodbye: a signal the page's signal guard verified against
   * the relay's own key and admitted (crdt/identity/relay-presence-auth.ts).
   */
  heard(signal: RelaySignal): void {
    if (this.closed) return;
    const changed = this.relays.heard(signal, Date.now());
    this.joined.refresh();
    if (signal.kind === 'relay' && changed) console.info(`[confab] relay offered in the room: ${signal.relay.url}`);
    if (signal.kind === 'relay-bye' && this.use && !this.use.target.origin && this.use.target.id === signal.relay.id) {
      console.info(`[confab] relay ${this.use.target.url} is leaving`);
      this.failed(this.use.relay);
    } else if (changed) {
      this.reconsider();
    }
  }

  /** Whose tiles are on screen (null: everyone's); the others get no video from the relay. */
  setVisible(ids: ReadonlySet<string> | null): void {
    this.visible = ids;
    for (const r of this.links()) r.setVisible(ids);
  }

  setLargeTile(large: { id: string; widthPx: number } | null): void {
    this.large = large;
    for (const r of this.links()) r.setLargeTile(large);
  }

  setTileWidth(px: number): void {
    this.tileWidthPx = px;
    for (const r of this.links()) r.setTileWidth(px);
  }

  /** Whom the stage pins (null: nobody): a relay link forwards their voice whenever they speak. */
  setPinned(id: string | null): void {
    this.pinned = id;
    for (const r of this.links()) r.setPinned(id);
  }

  /** Whose shared screen the stage shows (null: none); a relay link gives it its screen slot. */
  setPresenter(id: string | null): void {
    this.presenter = id;
    for (const r of this.links()) r.setPresenter(id);
  }

  replaceTrack(kind: MediaKind, track: MediaStreamTrack | null): void {
    for (const r of this.links()) void r.replaceTrack(kind, track);
  }

  close(): void {
    this.closed = true;
    this.joined.close();
    clearTimeout(this.settleTimer);
    clearTimeout(this.retryTimer);
    this.drop(this.use);
    this.drop(this.leaving);
    this.use = this.leaving = null;
  }

  /** The relay link that carries our media now. */
  private carrier(): RelayUse | null {
    const u = this.use?.carrying ? this.use : this.leaving;
    return u && u.relay.state === 'connected' ? u : null;
  }

  /** Which relay carries us may have changed: the tiles and the list of joined relays follow. */
  private changed(): void {
    this.joined.refresh();
    this.host.changed();
  }

  private links(): RelayMedia[] {
    return [this.use?.relay, this.leaving?.relay].filter((r): r is RelayMedia => !!r);
  }

  /** Everyone we know of, us included: mesh peers and the publishers of the relay we use. */
  private peopleCount(): number {
    const relayed = this.links().flatMap((r) => r.publishers());
    return new Set([...this.host.meshPeerIds(), ...relayed]).size + 1;
  }

  /** `relay` null with a topology of relay: the room is big enough, but no relay is left to use. */
  private target(nowMs: number): { relay: KnownRelay | null; topology: Topology } {
    const known = allowedRelays(this.relays.known(nowMs), this.host.relayPolicy());
    const relay = pickRelay({
      known,
      failedUntilMs: this.relays.failedUntilMs,
      nowMs,
      recordedUrl: this.host.recordedRelay(),
      current: this.use && this.use.relay.state !== 'failed' ? this.use.target : null,
    });
    const meshMax = roomMeshMax(known);
    return { relay, topology: meshMax !== null ? chooseTopology(this.peopleCount(), { meshMax }) : 'mesh' };
  }

  private decide(): void {
    if (this.closed) return;
    if (this.roomTopic === null) {
      void this.host.roomKey().then((key) => {
        this.roomTopic = key;
        this.decide();
      });
      return;
    }
    const { relay, topology } = this.target(Date.now());
    if (topology === 'mesh') {
      if (this.topology() === 'relay' || this.use) this.toMesh(false);
      else this.lost(false);
      return;
    }
    if (!relay) {
      // Every relay failed lately; the retry timer looks again.
      if (this.topology() === 'relay' || this.use) this.toMesh(true);
      return;
    }
    if (this.use?.target.id !== relay.id) this.connect(relay);
  }

  private connect(target: KnownRelay): void {
    const from = this.use;
    clearTimeout(from?.timer);
    // Make before break: a relay still carrying our media keeps doing so until the new one does.
    if (from?.carrying && from.relay.state === 'connected') {
      this.drop(this.leaving);
      this.leaving = from;
    } else {
      this.drop(from);
    }
    console.info(`[confab] topology: relay ${target.url} (${this.peopleCount()} people)`);
    markJoin('relay-chosen');
    this.setTopology('relay');
    const relay = this.openRelay({
      url: target.url,
      room: this.roomTopic!,
      selfId: this.host.selfId(),
      credentials: this.host.relayCredentials(),
      localTrack: (kind) => this.host.localTrack(kind),
      rtcConfig: { iceServers: this.host.iceServers() },
      protect: (t, media) => this.host.protect(t, media),
      sealer: this.host.relayRoom.sealer,
      roomHandlers: this.host.relayRoom.handlers,
      trusted: target.origin,
      onChange: () => this.linkChanged(relay),
    });
    const use: RelayUse = (this.use = { relay, target, carrying: false });
    use.timer = setTimeout(() => {
      if (this.use === use && !use.carrying) {
        console.warn(`[confab] relay ${target.url} did not connect in ${RELAY_CONNECT_TIMEOUT_MS} ms`);
        this.failed(relay);
      }
    }, RELAY_CONNECT_TIMEOUT_MS);
    relay.setTileWidth(this.tileWidthPx);
    relay.setVisible(this.visible);
    relay.setLargeTile(this.large);
    relay.setPresenter(this.presenter);
    if (this.pinned) relay.setPinned(this.pinned);
    relay.start().catch((err: unknown) => {
      if (this.use?.relay !== relay) return; // closed by us meanwhile
      console.warn('[confab] relay link failed:', err);
      this.failed(relay);
    });
    this.changed();
  }

  private linkChanged(relay: RelayMedia): void {
    const use = this.use;
    if (use?.relay === relay && relay.state === 'connected' && !use.carrying) {
      use.carrying = true;
      markJoin('relay-connected');
      clearTimeout(use.timer);
      this.drop(this.leaving);
      this.leaving = null;
      this.lost(false);
      this.host.setMeshMedia(false);
      this.host.recordRelay(use.target.url);
    }
    if (relay.state === 'failed') this.failed(relay);
    this.changed();
    this.reconsider();
  }

  /**
   * A relay link failed (unreachable, dropped us, said goodbye, or never connected): mark the
   * relay failed and go to the next one; with none left, back to a mesh, and try again later.
   */
  private failed(relay: RelayMedia): void {
    if (this.leaving?.relay === relay) {
      this.drop(this.leaving);
      this.leaving = null;
      this.changed();
      return;
    }
    const use = this.use;
    if (use?.relay !== relay || this.closed) return;
    this.drop(use);
    this.use = null;
    const nowMs = Date.now();
    this.relays.markFailed(use.target.id, nowMs);
    console.warn(`[confab] relay ${use.target.url} lost`);
    if (this.leaving) {
      // The relay we were leaving still works: stay on it, and say so (others follow the record).
      this.use = this.leaving;
      this.leaving = null;
      this.host.recordRelay(this.use.target.url);
      this.changed();
      return;
    }
    const next = this.target(nowMs);
    if (next.relay && next.topology === 'relay') {
      console.info(`[confab] failing over to relay ${next.relay.url}`);
      this.connect(next.relay);
      return;
    }
    this.toMesh(true);
  }

  /** Mesh links carry our media again; `lost`: because every relay failed (a banner says so). */
  private toMesh(lost: boolean): void {
    console.info(`[confab] topology: mesh (${this.peopleCount()} people)${lost ? ', no relay can be reached' : ''}`);
    this.host.setMeshMedia(true);
    this.drop(this.use);
    this.drop(this.leaving);
    this.use = this.leaving = null;
    this.setTopology('mesh');
    this.lost(lost);
    this.host.recordRelay(null);
    this.changed();
    clearTimeout(this.retryTimer);
    if (lost) {
      const nowMs = Date.now();
      const retryAtMs = this.relays.nextRetryAtMs(nowMs) ?? nowMs + RELAY_RETRY_MS;
      this.retryTimer = setTimeout(() => this.reconsider(), Math.max(0, retryAtMs - nowMs));
    }
  }

  private lost(lost: boolean): void {
    if (lost === this.relayLost()) return;
    this.setRelayLost(lost);
    this.host.relayLostChanged(lost);
  }

  private drop(use: RelayUse | null): void {
    if (!use) return;
    clearTimeout(use.timer);
    use.relay.close();
  }
}

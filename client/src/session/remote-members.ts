import { createSignal, type Accessor } from 'solid-js';
import type { QualitySources, StatsSource } from '../media/stats/quality-watch';
import type { MeshSession } from '../mesh/mesh-session';
import type { RemotePeer } from '../mesh/mesh-peers';
import type { RelayMedia } from '../relay-node/relay-media';
import { PeerViews, type PeerView } from './peer-views';

export interface RemoteMembersOptions {
  mesh(): MeshSession | null;
  /** The relay link carrying our media now (null: a mesh). */
  relay(): RelayMedia | null;
  /** Known to be kept out by the room's records: not shown even before the relay drops them. */
  excluded(peerId: string): boolean;
  /** Who is shown changed. */
  shownChanged(): void;
  /** After every update (who holds media keys follows it). */
  updated?(): void;
}

/**
 * The other people in the room as this page has them: mesh links and the relay's publishers
 * feeding one list of peer views, the relay's audio slots and loudest voice, and what the
 * quality indicators and the speaker detection read per person.
 */
export class RemoteMembers {
  readonly peers: Accessor<PeerView[]>;
  /** In relay mode, one track per audio slot: the Room view plays them. */
  readonly relayAudio: Accessor<MediaStreamTrack[]>;
  private readonly setRelayAudio: (tracks: MediaStreamTrack[]) => void;
  /** In relay mode, whom the relay ranks loudest (the audio levels never reach the page there). */
  readonly relaySpeaker: Accessor<string | null>;
  private readonly setRelaySpeaker: (id: string | null) => void;
  private readonly views = new PeerViews();
  private meshPeers: RemotePeer[] = [];

  constructor(private readonly opts: RemoteMembersOptions) {
    this.peers = this.views.peers;
    [this.relayAudio, this.setRelayAudio] = createSignal<MediaStreamTrack[]>([]);
    [this.relaySpeaker, this.setRelaySpeaker] = createSignal<string | null>(null);
  }

  /** The mesh's linked peers changed. */
  meshChanged(peers: RemotePeer[]): void {
    this.meshPeers = peers;
    this.update();
  }

  /** Tiles follow mesh links and the relay's publishers (peer-views.ts). */
  update(): void {
    const relay = this.opts.relay();
    if (this.views.update(this.meshPeers, relay, (id) => this.opts.excluded(id))) this.opts.shownChanged();
    this.setRelayAudio(relay ? relay.audioTracks() : []);
    this.setRelaySpeaker(relay?.loudest() ?? null);
    this.opts.updated?.();
  }

  /**
   * Everyone we know is here besides the relay's publishers: linked peers, and peers that said
   * a relay carries them (once we are on a relay, only those it lists: a closed tab says no bye).
   */
  knownPeerIds(): string[] {
    const relayed = this.opts.relay()?.publishers();
    const linkless = this.opts.mesh()?.linklessPeerIds() ?? [];
    return [...this.meshPeers.map((p) => p.id), ...(relayed ? linkless.filter((id) => relayed.includes(id)) : linkless)];
  }

  /** The receiver of a connected peer's microphone: the relay slot carrying it, or the first transceiver of its mesh link. */
  audioReceiver(peerId: string): RTCRtpReceiver | undefined {
    const relay = this.opts.relay();
    if (relay?.videoReceiverOf(peerId)) return relay.audioReceiverOf(peerId);
    return this.connection(peerId)?.getTransceivers()[0]?.receiver;
  }

  /** The connection to a peer (mesh). */
  connection(peerId: string): RTCPeerConnection | undefined {
    return this.opts.mesh()?.link(peerId)?.pc;
  }

  /**
   * What the quality indicators measure: in a mesh, each peer's connection (which is also our
   * uplink to them); through the relay, the slot receiving each peer and the relay connection.
   */
  qualitySources(): QualitySources {
    const relay = this.opts.relay();
    const perPeer = new Map<string, StatsSource>();
    const uplinks: StatsSource[] = relay ? [relay.connection] : [];
    for (const peer of this.peers()) {
      const source = relay?.videoReceiverOf(peer.id) ?? this.connection(peer.id);
      if (source) perPeer.set(peer.id, source);
      const mesh = this.connection(peer.id);
      if (!relay && mesh) uplinks.push(mesh);
    }
    return { perPeer, uplinks };
  }
}

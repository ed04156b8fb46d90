import { createSignal, type Accessor } from 'solid-js';
import type { PeerReach } from '../mesh/link-recovery';
import type { RemotePeer } from '../mesh/mesh-peers';
import type { RelayMedia } from '../relay-node/relay-media';

/** A remote peer as the views see it: its connection state is a signal of its own. */
export interface PeerView {
  id: string;
  /** Microphone and camera as shown now: from the mesh link, or the relay's slot in relay mode. */
  stream: Accessor<MediaStream>;
  /** The screen they share: the relay's screen slot while it carries it, else the mesh link's screen track. */
  screen: Accessor<MediaStream>;
  /** Connecting, connected, reconnecting after a network drop, or unreachable from the start. */
  reach: Accessor<PeerReach>;
  setReach(reach: PeerReach): void;
}

type LiveView = PeerView & { setStream(s: MediaStream): void; setScreen(s: MediaStream): void; trackIds: string };

/**
 * Keeps one PeerView per peer, so tiles stay mounted while their state changes. A peer is
 * anyone with a mesh link, or (in relay mode) anyone publishing through the relay; its tile
 * (and its shared screen) shows the relay's slot once our relay link is up and the peer
 * publishes there, else the mesh link's tracks.
 */
export class PeerViews {
  readonly peers: Accessor<PeerView[]>;
  private readonly setPeers: (p: PeerView[]) => void;
  private readonly views = new Map<string, LiveView>();

  constructor() {
    [this.peers, this.setPeers] = createSignal<PeerView[]>([]);
  }

  /** Rebuilds the views; true when who is shown changed. `excluded`: known to be kept out by the room's records. */
  update(meshPeers: RemotePeer[], relay: RelayMedia | null, excluded: (peerId: string) => boolean): boolean {
    const mesh = new Map(meshPeers.map((p) => [p.id, p]));
    const ids = [...mesh.keys(), ...(relay?.publishers().filter((id) => !mesh.has(id) && !excluded(id)) ?? [])];
    const next = new Map<string, LiveView>();
    for (const id of ids) {
      const meshPeer = mesh.get(id);
      const relayed = relay?.videoReceiverOf(id);
      const tracks = relayed ? [relayed.track] : (meshPeer?.stream.getTracks() ?? []);
      const trackIds = tracks.map((t) => t.id).join(' ');
      const screen = relay?.screenStreamOf(id) ?? meshPeer?.screen;
      let view = this.views.get(id);
      if (!view) {
        const [reach, setReach] = createSignal(meshPeer?.reach ?? 'connected');
        const [stream, setStream] = createSignal(new MediaStream(tracks));
        const [screenNow, setScreen] = createSignal(screen ?? new MediaStream());
        view = { id, stream, setStream, trackIds, screen: screenNow, setScreen, reach, setReach };
      } else if (view.trackIds !== trackIds) {
        // A new stream object: the tile's <video> takes it afresh (it does not follow track changes).
        view.trackIds = trackIds;
        view.setStream(new MediaStream(tracks));
      }
      if (screen) view.setScreen(screen);
      view.setReach(meshPeer?.reach ?? 'connected');
      next.set(id, view);
    }
    const changed = next.size !== this.views.size || [...next.keys()].some((id) => !this.views.has(id));
    this.views.clear();
    for (const [id, view] of next) this.views.set(id, view);
    if (changed) this.setPeers([...next.values()]);
    return changed;
  }
}

import { createSignal, type Accessor } from 'solid-js';
import { IndexeddbPersistence } from 'y-indexeddb';
import { DocSync } from '../../crdt/doc-sync';
import { RoomDoc, type ChatMessage, type Participant } from '../../crdt/room-doc';
import type { LocalMedia } from './media/local-media';
import { randomId } from './net/bytes';
import type { PeerReach } from './net/link-recovery';
import { MeshSession, type RemotePeer } from './net/mesh-session';
import { deriveRoomKeys, type RoomKeys } from './net/room-crypto';
import type { RoomLink } from './net/room-link';
import { SignalingClient, signalingUrlFor, type SignalingStatus } from './net/signaling-client';

/** A remote peer as the views see it: its connection state is a signal of its own. */
export interface PeerView {
  id: string;
  stream: MediaStream;
  /** Connecting, connected, reconnecting after a network drop, or unreachable from the start. */
  reach: Accessor<PeerReach>;
  setReach(reach: PeerReach): void;
}

/**
 * Everything one person's presence in a room needs: the room document and its sync, the
 * signaling client and the mesh of peer connections, exposed to the views as signals.
 * It is made when the join screen opens, so keys and the signaling socket are ready by the
 * time the person clicks Join; nothing is announced before start().
 */
export class RoomSession {
  readonly selfId = randomId(12);
  readonly room = new RoomDoc();
  readonly peers: Accessor<PeerView[]>;
  readonly participants: Accessor<Participant[]>;
  readonly chat: Accessor<ChatMessage[]>;
  readonly signalingStatus: Accessor<SignalingStatus>;
  /** The room answered "cannot decrypt you": the link's secret is wrong, or the room is gone. */
  readonly linkRejected: Accessor<boolean>;
  private readonly setLinkRejected: (rejected: boolean) => void;
  private readonly setPeers: (p: PeerView[]) => void;
  private readonly peerViews = new Map<string, PeerView>();
  private readonly sync = new DocSync(this.room.doc);
  private readonly keys: Promise<RoomKeys>;
  private readonly signaling: SignalingClient;
  private mesh: MeshSession | null = null;
  private readonly unsubscribe: () => void;
  /** This browser's copy of the room document: a reload or crash loses no chat. */
  private readonly persistence: IndexeddbPersistence;

  constructor(
    readonly link: RoomLink,
    readonly media: LocalMedia,
  ) {
    const [peers, setPeers] = createSignal<PeerView[]>([]);
    const [participants, setParticipants] = createSignal<Participant[]>([]);
    const [chat, setChat] = createSignal<ChatMessage[]>([]);
    const [status, setStatus] = createSignal<SignalingStatus>('connecting');
    this.peers = peers;
    this.setPeers = setPeers;
    this.participants = participants;
    this.chat = chat;
    this.signalingStatus = status;
    [this.linkRejected, this.setLinkRejected] = createSignal(false);
    this.unsubscribe = this.room.onChange(() => {
      setParticipants(this.room.participants());
      setChat(this.room.chat());
    });
    this.persistence = new IndexeddbPersistence(`confab-room-${link.roomId}`, this.room.doc);
    this.keys = deriveRoomKeys(link);
    this.signaling = new SignalingClient({
      url: link.relay ?? signalingUrlFor(location),
      onMessage: (topic, data) => this.mesh?.receive(topic, data),
      onStatus: setStatus,
      onOpen: () => this.mesh?.reannounce(),
    });
  }

  async start(name: string): Promise<void> {
    await this.persistence.whenSynced;
    this.room.join({ id: this.selfId, name, micOn: this.media.micOn(), camOn: this.media.camOn() });
    this.mesh = new MeshSession({
      selfId: this.selfId,
      keys: await this.keys,
      signaling: this.signaling,
      sync: this.sync,
      localTrack: (kind) => this.media.track(kind),
      onPeersChanged: (peers) => this.updatePeerViews(peers),
      onKeyMismatch: (suspected) => this.setLinkRejected(suspected),
    });
    this.media.onTrackChange = (kind, track) => {
      void this.mesh?.replaceTrack(kind, track);
      this.publishMediaState();
    };
    await this.mesh.start();
  }

  /** The participant record of a connected peer (names arrive with the room document). */
  participant(peerId: string): Participant | undefined {
    return this.participants().find((p) => p.id === peerId);
  }

  publishMediaState(): void {
    this.room.setMedia(this.selfId, { micOn: this.media.micOn(), camOn: this.media.camOn() });
  }

  sendChat(text: string): void {
    this.room.sendChat(this.selfId, text);
  }

  leave(): void {
    this.room.leave(this.selfId);
    this.mesh?.leave();
    this.signaling.close();
    this.unsubscribe();
    this.sync.destroy();
    void this.persistence.destroy();
  }

  /** Read by tests and the bench through window.confabDebug. */
  debugPeerConnection(peerId: string): RTCPeerConnection | undefined {
    return this.mesh?.link(peerId)?.pc;
  }

  /** Keeps one PeerView per peer, so tiles stay mounted while their state changes. */
  private updatePeerViews(peers: RemotePeer[]): void {
    const next = new Map<string, PeerView>();
    for (const peer of peers) {
      let view = this.peerViews.get(peer.id);
      if (!view) {
        const [reach, setReach] = createSignal(peer.reach);
        view = { id: peer.id, stream: peer.stream, reach, setReach };
      }
      view.setReach(peer.reach);
      next.set(peer.id, view);
    }
    const changed = next.size !== this.peerViews.size || [...next.keys()].some((id) => !this.peerViews.has(id));
    this.peerViews.clear();
    for (const [id, view] of next) this.peerViews.set(id, view);
    if (changed) this.setPeers([...next.values()]);
  }
}

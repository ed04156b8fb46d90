import { ChannelTag, PROTOCOL_VERSION, type PeerSignal, type SignalEnvelope } from '../../../crdt/wire';
import { MAX_SYNC_MESSAGE_BYTES, type DocSync } from '../../../crdt/doc-sync';
import { frameMessage, Reassembler } from './channel-framing';
import { PeerLink, type MediaKind } from './peer-link';
import type { RoomKeys } from './room-crypto';
import type { SignalingClient } from './signaling-client';

export interface RemotePeer {
  id: string;
  stream: MediaStream;
  connectionState: RTCPeerConnectionState;
}

export interface MeshSessionOptions {
  selfId: string;
  keys: RoomKeys;
  signaling: SignalingClient;
  sync: DocSync;
  localTrack(kind: MediaKind): MediaStreamTrack | null;
  rtcConfig?: RTCConfiguration;
  onPeersChanged(peers: RemotePeer[]): void;
}

/**
 * Full mesh: one PeerLink per remote peer, found through the signaling relay. Broadcasts
 * (announce, bye) go on the room topic; offers, answers and candidates go to the recipient's
 * own topic, so the relay delivers them to one socket.
 */
export class MeshSession {
  private readonly links = new Map<string, PeerLink>();
  private readonly peers = new Map<string, RemotePeer>();
  private readonly peerTopics = new Map<string, Promise<string>>();
  private inbound: Promise<void> = Promise.resolve();
  private selfTopic = '';
  private left = false;

  constructor(private readonly opts: MeshSessionOptions) {}

  async start(): Promise<void> {
    this.selfTopic = await this.topicOf(this.opts.selfId);
    this.opts.signaling.subscribe([this.opts.keys.roomTopic, this.selfTopic]);
    await this.broadcast({ kind: 'announce' });
  }

  /** After a signaling reconnect: say hello again to find who joined meanwhile. */
  reannounce(): void {
    if (!this.left) void this.broadcast({ kind: 'announce' });
  }

  /** Signaling frames are decrypted in parallel but applied strictly in arrival order. */
  receive(topic: string, data: string): void {
    if (topic !== this.opts.keys.roomTopic && topic !== this.selfTopic) return;
    const opened = this.opts.keys.open(data);
    this.inbound = this.inbound.then(async () => {
      const envelope = parseEnvelope(await opened);
      if (envelope) this.onSignal(envelope);
    });
  }

  async replaceTrack(kind: MediaKind, track: MediaStreamTrack | null): Promise<void> {
    await Promise.all([...this.links.values()].map((l) => l.replaceTrack(kind, track)));
  }

  remotePeers(): RemotePeer[] {
    return [...this.peers.values()];
  }

  link(peerId: string): PeerLink | undefined {
    return this.links.get(peerId);
  }

  leave(): void {
    if (this.left) return;
    this.left = true;
    const bye = new Uint8Array([ChannelTag.Bye]);
    for (const link of this.links.values()) link.sendData(bye);
    void this.broadcast({ kind: 'bye' });
    for (const link of [...this.links.values()]) link.close('left');
  }

  private onSignal({ from, to, msg }: SignalEnvelope): void {
    if (this.left || from === this.opts.selfId) return;
    if (to !== undefined && to !== this.opts.selfId) return;
    switch (msg.kind) {
      case 'announce':
        if (to === undefined) void this.sendTo(from, { kind: 'announce' });
        if (this.isOfferer(from)) this.ensureLink(from).start();
        break;
      case 'bye':
        this.links.get(from)?.close('bye');
        break;
      case 'description': {
        const existing = this.links.get(from);
        if (!existing && msg.description.type !== 'offer') return;
        void (existing ?? this.ensureLink(from)).handle(msg);
        break;
      }
      case 'candidate':
        void this.links.get(from)?.handle(msg);
        break;
    }
  }

  /** The peer with the greater id makes the first offer; the other is polite. */
  private isOfferer(remoteId: string): boolean {
    return this.opts.selfId > remoteId && !this.links.has(remoteId);
  }

  private ensureLink(remoteId: string): PeerLink {
    const existing = this.links.get(remoteId);
    if (existing) return existing;
    const stream = new MediaStream();
    const reassembler = new Reassembler(MAX_SYNC_MESSAGE_BYTES);
    const link: PeerLink = new PeerLink({
      remoteId,
      polite: this.opts.selfId < remoteId,
      rtcConfig: this.opts.rtcConfig,
      localTrack: this.opts.localTrack,
      send: (signal) => void this.sendTo(remoteId, signal),
      onTrack: (track) => {
        stream.addTrack(track);
        this.changed();
      },
      onChannelOpen: () => {
        this.opts.sync.addChannel(remoteId, {
          send: (bytes) => {
            for (const frame of frameMessage(ChannelTag.Yjs, bytes)) link.sendData(frame);
          },
        });
        this.peers.set(remoteId, { id: remoteId, stream, connectionState: link.pc.connectionState });
        this.changed();
      },
      onData: (frame) => {
        const message = reassembler.push(frame);
        if (message?.tag === ChannelTag.Yjs) this.opts.sync.receive(remoteId, message.bytes);
        else if (message?.tag === ChannelTag.Bye) link.close('bye');
      },
      onConnectionState: (state) => {
        const peer = this.peers.get(remoteId);
        if (peer) {
          peer.connectionState = state;
          this.changed();
        }
      },
      onClose: () => {
        if (this.links.get(remoteId) !== link) return;
        this.links.delete(remoteId);
        this.peers.delete(remoteId);
        this.opts.sync.removeChannel(remoteId);
        this.changed();
      },
    });
    this.links.set(remoteId, link);
    return link;
  }

  private changed(): void {
    this.opts.onPeersChanged(this.remotePeers());
  }

  private topicOf(peerId: string): Promise<string> {
    let topic = this.peerTopics.get(peerId);
    if (!topic) {
      topic = this.opts.keys.peerTopic(peerId);
      this.peerTopics.set(peerId, topic);
    }
    return topic;
  }

  private async broadcast(msg: PeerSignal): Promise<void> {
    const envelope: SignalEnvelope = { v: PROTOCOL_VERSION, from: this.opts.selfId, msg };
    this.opts.signaling.publish(this.opts.keys.roomTopic, await this.opts.keys.seal(envelope));
  }

  private async sendTo(peerId: string, msg: PeerSignal): Promise<void> {
    const envelope: SignalEnvelope = { v: PROTOCOL_VERSION, from: this.opts.selfId, to: peerId, msg };
    const [topic, sealed] = await Promise.all([this.topicOf(peerId), this.opts.keys.seal(envelope)]);
    this.opts.signaling.publish(topic, sealed);
  }
}

/** Signals come from anyone holding the room secret: check their shape before use. */
export function parseEnvelope(value: unknown): SignalEnvelope | null {
  if (typeof value !== 'object' || value === null) return null;
  const e = value as Record<string, unknown>;
  if (e.v !== PROTOCOL_VERSION || typeof e.from !== 'string' || e.from.length > 64) return null;
  if (e.to !== undefined && typeof e.to !== 'string') return null;
  const msg = e.msg as Record<string, unknown> | null;
  if (typeof msg !== 'object' || msg === null) return null;
  switch (msg.kind) {
    case 'announce':
    case 'bye':
      break;
    case 'description': {
      const d = msg.description as Record<string, unknown> | null;
      if (typeof d !== 'object' || d === null) return null;
      if (!['offer', 'answer', 'pranswer', 'rollback'].includes(d.type as string)) return null;
      if (typeof d.sdp !== 'string' || d.sdp.length > 200_000) return null;
      break;
    }
    case 'candidate': {
      const c = msg.candidate as Record<string, unknown> | null;
      if (c !== null && (typeof c !== 'object' || typeof c.candidate !== 'string')) return null;
      break;
    }
    default:
      return null;
  }
  return value as SignalEnvelope;
}

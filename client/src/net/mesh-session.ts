import { ChannelTag, PROTOCOL_VERSION, type LinkSignal, type PeerSignal, type SignalEnvelope } from '../../../crdt/wire';
import { MAX_SYNC_MESSAGE_BYTES, type DocSync } from '../../../crdt/doc-sync';
import { frameMessage, Reassembler } from './channel-framing';
import { KeyMismatch, UNDECRYPTABLE_HINT } from './key-mismatch';
import { LinkRecovery, type PeerReach, type RecoveryAction } from './link-recovery';
import { PeerLink, type MediaKind } from './peer-link';
import type { RoomKeys } from './room-crypto';
import type { SignalingClient } from './signaling-client';

export interface RemotePeer {
  id: string;
  stream: MediaStream;
  reach: PeerReach;
}

/** What outlives one connection to a peer: its stream (the tile) and its recovery timers. */
interface PeerCare {
  stream: MediaStream;
  recovery: LinkRecovery;
}

const SIGNALING_PROBE_EVERY_MS = 1_000;
/** A redial does not cut short a dial whose ICE/DTLS is under way and younger than this. */
const DIAL_IN_PROGRESS_GRACE_MS = 20_000;

export interface MeshSessionOptions {
  selfId: string;
  keys: RoomKeys;
  signaling: SignalingClient;
  sync: DocSync;
  localTrack(kind: MediaKind): MediaStreamTrack | null;
  rtcConfig?: RTCConfiguration;
  onPeersChanged(peers: RemotePeer[]): void;
  /** Our secret looks wrong: the room answered our announce with "cannot decrypt" (key-mismatch.ts). */
  onKeyMismatch?(suspected: boolean): void;
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
  private readonly care = new Map<string, PeerCare>();
  private probeTimer: ReturnType<typeof setInterval> | undefined;
  private readonly keyMismatch = new KeyMismatch({
    publishHint: () => this.opts.signaling.publish(this.opts.keys.roomTopic, UNDECRYPTABLE_HINT),
    onSuspect: (suspected) => this.opts.onKeyMismatch?.(suspected),
  });
  private inbound: Promise<void> = Promise.resolve();
  private selfTopic = '';
  private left = false;

  constructor(private readonly opts: MeshSessionOptions) {}

  async start(): Promise<void> {
    this.selfTopic = await this.topicOf(this.opts.selfId);
    this.opts.signaling.subscribe([this.opts.keys.roomTopic, this.selfTopic]);
    await this.broadcast({ kind: 'announce' });
    this.keyMismatch.announced();
  }

  /** After a signaling reconnect: say hello again to find who joined meanwhile. */
  reannounce(): void {
    if (this.left) return;
    void this.broadcast({ kind: 'announce' });
    // Offers sent while our socket was dead are lost: the side that dials starts afresh now.
    for (const care of this.care.values()) care.recovery.redial();
  }

  /** Signaling frames are decrypted in parallel but applied strictly in arrival order. */
  receive(topic: string, data: string): void {
    if (topic !== this.opts.keys.roomTopic && topic !== this.selfTopic) return;
    const onRoomTopic = topic === this.opts.keys.roomTopic;
    if (onRoomTopic && data === UNDECRYPTABLE_HINT) return this.keyMismatch.hintReceived();
    const opened = this.opts.keys.open(data);
    this.inbound = this.inbound.then(async () => {
      const value = await opened;
      if (value === null && onRoomTopic && !this.left) this.keyMismatch.undecryptable();
      const envelope = parseEnvelope(value);
      if (!envelope) return;
      this.keyMismatch.validSignal();
      this.onSignal(envelope);
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
    clearInterval(this.probeTimer);
    this.keyMismatch.dispose();
  }

  private onSignal({ from, to, msg }: SignalEnvelope): void {
    if (this.left || from === this.opts.selfId) return;
    if (to !== undefined && to !== this.opts.selfId) return;
    switch (msg.kind) {
      case 'announce':
        if (to === undefined) void this.sendTo(from, { kind: 'announce' });
        if (this.isOfferer(from)) this.ensureLink(from).start();
        else this.heardFromTroubled(from);
        break;
      case 'bye':
        this.links.get(from)?.close('bye');
        break;
      case 'description':
        void this.linkForDescription(from, msg)?.handle(msg);
        break;
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
    const { stream, recovery } = this.careFor(remoteId);
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
        this.peers.set(remoteId, { id: remoteId, stream, reach: recovery.state });
        this.changed();
      },
      onData: (frame) => {
        const message = reassembler.push(frame);
        if (message?.tag === ChannelTag.Yjs) this.opts.sync.receive(remoteId, message.bytes);
        else if (message?.tag === ChannelTag.Bye) link.close('bye');
      },
      onConnectionState: (state) => {
        if (this.links.get(remoteId) === link) recovery.onState(state);
      },
      onClose: () => {
        if (this.links.get(remoteId) !== link) return;
        this.links.delete(remoteId);
        this.peers.delete(remoteId);
        recovery.dispose();
        this.care.delete(remoteId);
        this.watchSignaling();
        this.opts.sync.removeChannel(remoteId);
        this.changed();
      },
    });
    this.links.set(remoteId, link);
    return link;
  }

  /** The link an incoming description is for: a new one for a first offer or a redial. */
  private linkForDescription(from: string, msg: LinkSignal & { kind: 'description' }): PeerLink | undefined {
    const existing = this.links.get(from);
    const offer = msg.description.type === 'offer';
    if (!existing) return offer ? this.ensureLink(from) : undefined;
    const redialed = offer && msg.dial !== undefined && existing.dial !== undefined && msg.dial > existing.dial;
    return redialed ? this.replaceLink(from) : existing;
  }

  private careFor(remoteId: string): PeerCare {
    let care = this.care.get(remoteId);
    if (!care) {
      const recovery = new LinkRecovery({
        impolite: this.opts.selfId > remoteId,
        act: (action) => this.recover(remoteId, action),
        onReach: (reach) => this.reachChanged(remoteId, reach),
      });
      care = { stream: new MediaStream(), recovery };
      this.care.set(remoteId, care);
    }
    return care;
  }

  private recover(remoteId: string, action: RecoveryAction): void {
    if (this.left) return;
    console.info(`[confab] connection to ${remoteId}: ${action}`);
    const link = this.links.get(remoteId);
    if (action === 'restart-ice') link?.restartIce();
    else if (action === 'redial' && !(link && dialInProgress(link))) this.replaceLink(remoteId).start();
    else if (action === 'drop') link?.close('unreachable');
  }

  /** A fresh connection to the same peer, keeping its tile (same stream) and its recovery. */
  private replaceLink(remoteId: string): PeerLink {
    const old = this.links.get(remoteId);
    const care = this.careFor(remoteId);
    this.links.delete(remoteId);
    for (const track of care.stream.getTracks()) care.stream.removeTrack(track);
    const link = this.ensureLink(remoteId);
    old?.close('replaced');
    return link;
  }

  /** Reconnecting or unreachable shows on the tile; a peer never reached gets a tile to say so. */
  private reachChanged(remoteId: string, reach: PeerReach): void {
    console.info(`[confab] connection to ${remoteId}: ${reach}`);
    const peer = this.peers.get(remoteId);
    if (peer) peer.reach = reach;
    else if (reach === 'unreachable') this.peers.set(remoteId, { id: remoteId, stream: this.careFor(remoteId).stream, reach });
    this.watchSignaling();
    this.changed();
  }

  /**
   * A peer we lost announced itself again (its signaling is back): if we are the side that
   * dials, dial a fresh connection now rather than wait for the next redial.
   */
  private heardFromTroubled(remoteId: string): void {
    this.care.get(remoteId)?.recovery.redial();
  }

  /** While any connection is reconnecting, check often that our signaling socket still works. */
  private watchSignaling(): void {
    const troubled = [...this.care.values()].some((c) => c.recovery.state === 'reconnecting');
    if (troubled && !this.probeTimer && !this.left) {
      this.probeTimer = setInterval(() => this.opts.signaling.probe(), SIGNALING_PROBE_EVERY_MS);
    } else if (!troubled && this.probeTimer) {
      clearInterval(this.probeTimer);
      this.probeTimer = undefined;
    }
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

/** The answer came and ICE/DTLS are at work (slow on a loaded machine): let it finish. */
function dialInProgress(link: PeerLink): boolean {
  return link.pc.connectionState === 'connecting' && Date.now() - (link.dial ?? 0) < DIAL_IN_PROGRESS_GRACE_MS;
}

/** Signals come from anyone holding the room secret: check their shape before use. */
export function parseEnvelope(value: unknown): SignalEnvelope | null {
  if (typeof value !== 'object' || value === null) return null;
  const e = value as Record<string, unknown>;
  if (e.v !== PROTOCOL_VERSION || typeof e.from !== 'string' || e.from.length > 64) return null;
  if (e.to !== undefined && typeof e.to !== 'string') return null;
  const msg = e.msg as Record<string, unknown> | null;
  if (typeof msg !== 'object' || msg === null) return null;
  if (msg.dial !== undefined && !Number.isFinite(msg.dial)) return null;
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

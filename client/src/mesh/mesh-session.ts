import { ChannelTag, type LinkSignal, type PeerSignal, type SignalEnvelope } from '../../../crdt/protocol/wire';
import { MAX_SYNC_MESSAGE_BYTES, type DocSync } from '../../../crdt/room/doc-sync';
import type { RelaySignal } from '../../../crdt/protocol/relay-presence';
import type { PeerGate } from '../session/admission';
import { frameMessage, Reassembler } from '../../../crdt/protocol/channel-framing';
import { KeyMismatch, UNDECRYPTABLE_HINT } from '../signaling/key-mismatch';
import { LinkRecovery, type PeerReach, type RecoveryAction } from './link-recovery';
import { PeerLink } from './peer-link';
import { parseEnvelope } from '../../../crdt/protocol/signal-envelope';
import type { SignedSignals } from '../signaling/signed-signals';
import type { RoomKeys } from '../../../crdt/identity/room-keys';
import type { SignalingClient } from '../signaling/signaling-client';
import type { MediaKind, RtpMedia } from '../media/media-kind';

export interface RemotePeer {
  id: string;
  /** Microphone and camera. */
  stream: MediaStream;
  /** The shared screen's track (live but frameless while nothing is shared). */
  screen: MediaStream;
  reach: PeerReach;
}

/** What outlives one connection to a peer: its stream (the tile) and its recovery timers. */
interface PeerCare {
  stream: MediaStream;
  screen: MediaStream;
  recovery: LinkRecovery;
}

const SIGNALING_PROBE_EVERY_MS = 1_000;
/**
 * When only one side of a pair wants a link (a newcomer to a room that a relay carries), the
 * dial waits this long: the newcomer usually reaches the relay first, and then neither side
 * wants the link. Past it, the link is made (the newcomer may never reach the relay).
 */
const ONE_SIDED_DIAL_DELAY_MS = 4_000;
/** A redial does not cut short a dial whose ICE/DTLS is under way and younger than this. */
const DIAL_IN_PROGRESS_GRACE_MS = 20_000;

export interface MeshSessionOptions {
  selfId: string;
  keys: RoomKeys;
  /** Signs what we send and checks what we receive; its `inst` is this page load. */
  auth: SignedSignals;
  signaling: SignalingClient;
  sync: DocSync;
  localTrack(kind: MediaKind): MediaStreamTrack | null;
  /** False while a relay carries our media and room state: no links with peers that say the same. */
  linksWanted(): boolean;
  gate: PeerGate;
  rtcConfig?: RTCConfiguration;
  onPeersChanged(peers: RemotePeer[]): void;
  /** Signals about admission itself, for the session to act on. */
  onRefused?(from: string, msg: Extract<PeerSignal, { kind: 'refused' }>): void;
  onKnock?(from: string, msg: Extract<PeerSignal, { kind: 'knock' }>): void;
  onDecision?(from: string, msg: Extract<PeerSignal, { kind: 'decision' }>): void;
  /** A peer said bye (connected or not: a knocker who gave up). */
  onGone?(peerId: string): void;
  /** Our secret looks wrong: the room answered our announce with "cannot decrypt" (key-mismatch.ts). */
  onKeyMismatch?(suspected: boolean): void;
  /** Media transceivers of every link, as they appear (end-to-end encryption). */
  protect?(t: RTCRtpTransceiver, media: RtpMedia): void;
  /** A data channel to an admitted peer opened. */
  onChannelOpen?(peerId: string): void;
  /** A media-key message arrived from a linked peer. */
  onMediaKey?(from: string, bytes: Uint8Array): void;
  /** A relay node announced itself or said goodbye (unchecked: crdt/protocol/relay-presence.ts checkRelaySignal). */
  onRelaySignal?(envelope: { from: string; to?: string; msg: RelaySignal }): void;
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
  /** Participant keys of peers whose announce or description checked out. */
  private readonly keys = new Map<string, string>();
  /** The page load each peer announced from. */
  private readonly instances = new Map<string, string>();
  private readonly care = new Map<string, PeerCare>();
  /** Peers whose last announce said they want no links (a relay carries them). */
  private readonly linklessPeers = new Set<string>();
  private readonly delayedDials = new Map<string, ReturnType<typeof setTimeout>>();
  private probeTimer: ReturnType<typeof setInterval> | undefined;
  private readonly keyMismatch = new KeyMismatch({
    publishHint: () => this.opts.signaling.publish(this.opts.keys.roomTopic, UNDECRYPTABLE_HINT),
    onSuspect: (suspected) => this.opts.onKeyMismatch?.(suspected),
  });
  private inbound: Promise<void> = Promise.resolve();
  private outbound = new Map<string, Promise<void>>();
  private selfTopic = '';
  private left = false;

  constructor(private readonly opts: MeshSessionOptions) {}

  async start(): Promise<void> {
    this.selfTopic = await this.topicOf(this.opts.selfId);
    this.opts.signaling.subscribe([this.opts.keys.roomTopic, this.selfTopic]);
    await this.broadcast(this.announcement());
    this.keyMismatch.announced();
  }

  /** After a signaling reconnect or an admission: say hello again to find who is here. */
  reannounce(): void {
    if (this.left) return;
    void this.broadcast(this.announcement());
    // Offers sent while our socket was dead are lost: the side that dials starts afresh now.
    for (const care of this.care.values()) care.recovery.redial();
  }

  /**
   * Our need for peer links changed (a relay took over the room, or went away): say so. Links
   * to peers that need none either close; without a relay, every peer dials or is dialed again.
   */
  linksWantedChanged(): void {
    if (this.left) return;
    void this.broadcast(this.announcement());
    if (!this.opts.linksWanted()) for (const peerId of [...this.links.keys()]) if (this.linklessPeers.has(peerId)) this.unlink(peerId);
  }

  /** Asks the host and co-hosts of a locked room to let us in. */
  knock(name: string): void {
    if (!this.left) void this.broadcast({ kind: 'knock', key: this.opts.gate.selfKey, name });
  }

  /** Sends one admission signal (a refusal, a knock, a decision) to one peer. */
  signal(peerId: string, msg: PeerSignal): void {
    if (!this.left) void this.sendTo(peerId, msg);
  }

  /** The checked participant key of a connected peer. */
  keyOf(peerId: string): string | undefined {
    return this.keys.get(peerId);
  }

  /** After the room's records changed: drop every peer that may no longer be here, and say why. */
  enforce(): void {
    for (const [peerId, link] of [...this.links]) {
      const key = this.keys.get(peerId);
      const exclusion = key ? this.opts.gate.exclusion(key) : null;
      if (!key || !exclusion) continue;
      void this.sendTo(peerId, { kind: 'refused', reason: exclusion, records: this.opts.gate.recordsFor(key) });
      link.sendData(new Uint8Array([ChannelTag.Bye]));
      link.close(`refused: ${exclusion}`);
    }
  }

  /** Signaling frames are decrypted in parallel but applied strictly in arrival order. */
  receive(topic: string, data: string): void {
    if (topic !== this.opts.keys.roomTopic && topic !== this.selfTopic) return;
    const onRoomTopic = topic === this.opts.keys.roomTopic;
    if (onRoomTopic && data === UNDECRYPTABLE_HINT) return this.keyMismatch.hintReceived();
    // Decryption and signature checks run in parallel; replay checks and handling in arrival order.
    const checked = this.opts.keys.open(data).then(async (value) => {
      const envelope = parseEnvelope(value);
      return { value, envelope, verdict: envelope && (await this.opts.auth.verify(envelope)) };
    });
    this.inbound = this.inbound.then(async () => {
      const { value, envelope, verdict } = await checked;
      if (value === null && onRoomTopic && !this.left) this.keyMismatch.undecryptable();
      if (!envelope) return;
      this.keyMismatch.validSignal();
      if (this.opts.auth.admit(envelope, verdict ?? 'malformed')) await this.onSignal(envelope);
    }).catch((err: unknown) => console.warn('[confab] signal handling failed:', err));
  }

  async replaceTrack(kind: MediaKind, track: MediaStreamTrack | null): Promise<void> {
    await Promise.all([...this.links.values()].map((l) => l.replaceTrack(kind, track)));
  }

  /** A tagged message on the data channel to `peerId`; false if that channel is not open. */
  sendData(peerId: string, tag: number, bytes: Uint8Array): boolean {
    const link = this.links.get(peerId);
    return !!link && frameMessage(tag, bytes).every((frame) => link.sendData(frame));
  }

  remotePeers(): RemotePeer[] {
    return [...this.peers.values()];
  }

  /** Peer connections open or being made now. */
  linkCount(): number {
    return this.links.size;
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
    for (const timer of this.delayedDials.values()) clearTimeout(timer);
    this.keyMismatch.dispose();
  }

  /** Peers that announced that a relay carries them (no link with us, unless one is wanted). */
  linklessPeerIds(): string[] {
    return [...this.linklessPeers];
  }

  private async onSignal({ from, to, msg, auth }: SignalEnvelope): Promise<void> {
    if (this.left || from === this.opts.selfId) return;
    if (to !== undefined && to !== this.opts.selfId) return;
    switch (msg.kind) {
      case 'announce': {
        if (!(await this.welcomes(from, await this.opts.gate.check(from, msg.key, msg.proof), msg.key))) return;
        const known = this.instances.get(from);
        this.instances.set(from, msg.instance);
        if (known !== undefined && known !== msg.instance) this.links.get(from)?.close('reloaded');
        if (to === undefined) void this.sendTo(from, this.announcement());
        const wasLinkless = this.linklessPeers.has(from);
        if (msg.mesh === false) this.linklessPeers.add(from);
        else this.linklessPeers.delete(from);
        if (wasLinkless !== (msg.mesh === false)) this.changed();
        const wanted = [msg.mesh !== false, this.opts.linksWanted()].filter(Boolean).length;
        if (wanted === 0) this.unlink(from);
        else if (wanted === 1 && !this.links.has(from)) this.dialLater(from);
        else if (this.isOfferer(from)) this.ensureLink(from).start();
        else this.heardFromTroubled(from);
        break;
      }
      case 'bye':
        // A goodbye from another page load of the peer (an old tab's, replayed) ends nothing of this one.
        if (this.instances.has(from) && this.instances.get(from) !== auth?.inst) return;
        this.linklessPeers.delete(from);
        this.instances.delete(from);
        this.links.get(from)?.close('bye');
        this.opts.onGone?.(from);
        break;
      case 'description': {
        const { key, sig, description, dial } = msg;
        if (!this.links.has(from) && description.type !== 'offer') return;
        if (!(await this.opts.gate.verifyDescription(from, key, sig, description.sdp))) {
          console.warn(`[confab] dropping a description from ${from}: its signature does not match its key`);
          return;
        }
        if (!(await this.welcomes(from, this.opts.gate.exclusion(key), key))) return;
        const signal: LinkSignal & { kind: 'description' } = { kind: 'description', description, dial };
        void this.linkForDescription(from, signal)?.handle(signal);
        break;
      }
      case 'candidate':
        void this.links.get(from)?.handle(msg);
        break;
      case 'refused':
        // A link still being set up goes; an open one is the refuser's to close (an honest one does).
        if (!this.peers.has(from)) this.links.get(from)?.close(`refused: ${msg.reason}`);
        this.opts.onRefused?.(from, msg);
        break;
      case 'knock':
        this.opts.onKnock?.(from, msg);
        break;
      case 'decision':
        this.opts.onDecision?.(from, msg);
        break;
      case 'relay':
      case 'relay-bye':
        this.opts.onRelaySignal?.({ from, ...(to === undefined ? {} : { to }), msg });
        break;
    }
  }

  /** Remembers a welcome peer's key; tells an excluded one why. */
  private async welcomes(from: string, verdict: Awaited<ReturnType<PeerGate['check']>>, key: string): Promise<boolean> {
    if (verdict === null) {
      this.keys.set(from, key);
      return true;
    }
    if (verdict === 'invalid') {
      console.warn(`[confab] ignoring ${from}: its key does not match its peer id`);
    } else {
      await this.sendTo(from, { kind: 'refused', reason: verdict, records: this.opts.gate.recordsFor(key) });
      this.links.get(from)?.close(`refused: ${verdict}`);
    }
    return false;
  }

  private announcement(): PeerSignal {
    const mesh = this.opts.linksWanted() ? {} : { mesh: false };
    return { kind: 'announce', key: this.opts.gate.selfKey, proof: this.opts.gate.proof(), instance: this.opts.auth.inst, ...mesh };
  }

  /** Dials `peerId` after ONE_SIDED_DIAL_DELAY_MS if one side still wants the link and we are the dialing side. */
  private dialLater(peerId: string): void {
    if (this.delayedDials.has(peerId)) return;
    this.delayedDials.set(
      peerId,
      setTimeout(() => {
        this.delayedDials.delete(peerId);
        const wanted = !this.linklessPeers.has(peerId) || this.opts.linksWanted();
        if (!this.left && wanted && this.instances.has(peerId) && this.isOfferer(peerId)) this.ensureLink(peerId).start();
      }, ONE_SIDED_DIAL_DELAY_MS),
    );
  }

  /** Both sides have a relay: the link goes, with a bye so the other side does not try to recover it. */
  private unlink(peerId: string): void {
    const link = this.links.get(peerId);
    if (!link) return;
    link.sendData(new Uint8Array([ChannelTag.Bye]));
    link.close('a relay carries us both');
  }

  /** Descriptions leave signed with our participant key over their DTLS fingerprints. */
  private async sendLinkSignal(peerId: string, signal: LinkSignal): Promise<void> {
    if (signal.kind === 'candidate') return this.sendTo(peerId, signal);
    const sig = await this.opts.gate.signDescription(peerId, signal.description.sdp);
    return this.sendTo(peerId, { ...signal, key: this.opts.gate.selfKey, sig });
  }

  /** The peer with the greater id makes the first offer; the other is polite. */
  private isOfferer(remoteId: string): boolean {
    return this.opts.selfId > remoteId && !this.links.has(remoteId);
  }

  private ensureLink(remoteId: string): PeerLink {
    const existing = this.links.get(remoteId);
    if (existing) return existing;
    const { stream, screen, recovery } = this.careFor(remoteId);
    const reassembler = new Reassembler(MAX_SYNC_MESSAGE_BYTES);
    const link: PeerLink = new PeerLink({
      remoteId,
      polite: this.opts.selfId < remoteId,
      rtcConfig: this.opts.rtcConfig,
      localTrack: this.opts.localTrack,
      send: (signal) => void this.sendLinkSignal(remoteId, signal),
      protect: this.opts.protect,
      onTrack: (track, kind) => {
        (kind === 'screen' ? screen : stream).addTrack(track);
        this.changed();
      },
      onChannelOpen: () => {
        this.opts.sync.addChannel(remoteId, {
          send: (bytes) => {
            for (const frame of frameMessage(ChannelTag.Yjs, bytes)) link.sendData(frame);
          },
        });
        this.peers.set(remoteId, { id: remoteId, stream, screen, reach: recovery.state });
        this.changed();
        this.opts.onChannelOpen?.(remoteId);
      },
      onData: (frame) => {
        const message = reassembler.push(frame);
        if (message?.tag === ChannelTag.Yjs) this.opts.sync.receive(remoteId, message.bytes);
        else if (message?.tag === ChannelTag.Bye) link.close('bye');
        else if (message?.tag === ChannelTag.MediaKey) this.opts.onMediaKey?.(remoteId, message.bytes);
      },
      onConnectionState: (state) => {
        if (this.links.get(remoteId) === link) recovery.onState(state);
      },
      onClose: () => {
        if (this.links.get(remoteId) !== link) return;
        this.links.delete(remoteId);
        this.peers.delete(remoteId);
        this.outbound.delete(remoteId);
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
      care = { stream: new MediaStream(), screen: new MediaStream(), recovery };
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
    for (const media of [care.stream, care.screen]) for (const track of media.getTracks()) media.removeTrack(track);
    const link = this.ensureLink(remoteId);
    old?.close('replaced');
    return link;
  }

  /** Reconnecting or unreachable shows on the tile; a peer never reached gets a tile to say so. */
  private reachChanged(remoteId: string, reach: PeerReach): void {
    console.info(`[confab] connection to ${remoteId}: ${reach}`);
    const peer = this.peers.get(remoteId);
    if (peer) peer.reach = reach;
    else if (reach === 'unreachable') {
      const { stream, screen } = this.careFor(remoteId);
      this.peers.set(remoteId, { id: remoteId, stream, screen, reach });
    }
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
    const envelope = await this.opts.auth.broadcast(msg);
    this.opts.signaling.publish(this.opts.keys.roomTopic, await this.opts.keys.seal(envelope));
  }

  /**
   * Per recipient, signals leave in the order they were sent, whatever signing costs. Each names
   * the recipient's page load it last heard from, so it counts for no other.
   */
  private sendTo(peerId: string, msg: PeerSignal): Promise<void> {
    const envelope = this.opts.auth.to(peerId, msg);
    if (!envelope) return Promise.resolve(); // it has signed nothing to us: nothing to answer
    const ready = Promise.all([this.topicOf(peerId), envelope.then((e) => this.opts.keys.seal(e))]);
    const sent = (this.outbound.get(peerId) ?? Promise.resolve()).then(async () => {
      const [topic, sealed] = await ready;
      this.opts.signaling.publish(topic, sealed);
    });
    this.outbound.set(peerId, sent.catch(() => undefined));
    return sent;
  }
}

/** The answer came and ICE/DTLS are at work (slow on a loaded machine): let it finish. */
function dialInProgress(link: PeerLink): boolean {
  return link.pc.connectionState === 'connecting' && Date.now() - (link.dial ?? 0) < DIAL_IN_PROGRESS_GRACE_MS;
}

import { frameMessage } from '../../../crdt/protocol/channel-framing';
import type { RelaySignal } from '../../../crdt/protocol/relay-presence';
import { parseEnvelope } from '../../../crdt/protocol/signal-envelope';
import { ChannelTag, type LinkSignal, type PeerSignal, type SignalEnvelope } from '../../../crdt/protocol/wire';
import type { DocSync } from '../../../crdt/room/doc-sync';
import type { RoomKeys } from '../../../crdt/identity/room-keys';
import { SealedPublisher } from '../../../crdt/identity/sealed-publisher';
import type { PeerGate } from '../session/admission';
import { KeyMismatch, UNDECRYPTABLE_HINT } from '../signaling/key-mismatch';
import type { SignalingClient } from '../signaling/signaling-client';
import type { SignedSignals } from '../signaling/signed-signals';
import { MeshLinks } from './mesh-links';
import { MeshPeers, type RemotePeer } from './mesh-peers';
import type { PeerLink } from './peer-link';
import type { MediaKind, RtpMedia } from '../media/media-kind';

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
  /** The RTCPeerConnection class (a fake one in unit tests). */
  PeerConnection?: typeof RTCPeerConnection;
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
  /** Our media key package (media-key-message.ts, encoded), sent with every announce so a committer has it before the link is up. */
  keyPackage?: string;
  /** A key package that came with an announce (unchecked: it proves itself). */
  onKeyPackage?(from: string, pkg: string): void;
  /** Our signed participant entry as stored, if written yet: it rides in every announce. */
  participantEntry?(): unknown;
  /** A participant entry that came with an announce (unchecked: it proves itself). */
  onParticipantEntry?(from: string, entry: unknown): void;
  /** A relay node announced itself or said goodbye (verified against its key and admitted: crdt/identity/relay-presence-auth.ts). */
  onRelaySignal?(signal: RelaySignal): void;
}

/**
 * Full mesh: one PeerLink per remote peer (mesh-links.ts), found through the signaling relay.
 * Broadcasts (announce, bye) go on the room topic; offers, answers and candidates go to the
 * recipient's own topic, so the relay delivers them to one socket.
 */
export class MeshSession {
  /** One record per remote peer: its key, page load, link, tile and recovery. */
  private readonly peers = new MeshPeers();
  private readonly links: MeshLinks;
  private readonly out: SealedPublisher<void>;
  private readonly keyMismatch = new KeyMismatch({
    publishHint: () => this.opts.signaling.publish(this.opts.keys.roomTopic, UNDECRYPTABLE_HINT),
    onSuspect: (suspected) => this.opts.onKeyMismatch?.(suspected),
  });
  private inbound: Promise<void> = Promise.resolve();
  private selfTopic = '';
  private left = false;

  constructor(private readonly opts: MeshSessionOptions) {
    this.out = new SealedPublisher(opts.keys, (topic, sealed) => opts.signaling.publish(topic, sealed));
    this.links = new MeshLinks({
      selfId: opts.selfId,
      peers: this.peers,
      sync: opts.sync,
      rtcConfig: opts.rtcConfig,
      PeerConnection: opts.PeerConnection,
      localTrack: opts.localTrack,
      protect: opts.protect,
      send: (peerId, signal) => void this.sendLinkSignal(peerId, signal),
      linksWanted: () => opts.linksWanted(),
      onChannelOpen: opts.onChannelOpen,
      onMediaKey: opts.onMediaKey,
      probeSignaling: () => opts.signaling.probe(),
      changed: () => this.changed(),
      left: () => this.left,
    });
  }

  async start(): Promise<void> {
    this.selfTopic = await this.out.topicOf(this.opts.selfId);
    this.opts.signaling.subscribe([this.opts.keys.roomTopic, this.selfTopic]);
    await this.broadcast(this.announcement());
    this.keyMismatch.announced();
  }

  /** After a signaling reconnect or an admission: say hello again to find who is here. */
  reannounce(): void {
    if (this.left) return;
    void this.broadcast(this.announcement());
    // Offers sent while our socket was dead are lost: the side that dials starts afresh now.
    this.links.redialAll();
  }

  /**
   * Our need for peer links changed (a relay took over the room, or went away): say so. Links
   * to peers that need none either close; without a relay, every peer dials or is dialed again.
   */
  linksWantedChanged(): void {
    if (this.left) return;
    void this.broadcast(this.announcement());
    if (!this.opts.linksWanted()) for (const peer of this.peers.all()) if (peer.link && peer.linkless) this.links.unlink(peer.id);
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
    return this.peers.get(peerId)?.key;
  }

  /** After the room's records changed: drop every peer that may no longer be here, and say why. */
  enforce(): void {
    for (const { id, key, link } of this.peers.all()) {
      const exclusion = key ? this.opts.gate.exclusion(key) : null;
      if (!link || !key || !exclusion) continue;
      void this.sendTo(id, { kind: 'refused', reason: exclusion, records: this.opts.gate.recordsFor(key) });
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
      const msg = envelope?.msg;
      // A description's own signature (over its DTLS fingerprints) is checked beside the envelope's.
      const [verdict, descriptionSigned] = await Promise.all([
        envelope && this.opts.auth.verify(envelope),
        msg?.kind === 'description' ? this.opts.gate.verifyDescription(envelope!.from, msg.key, msg.sig, msg.description.sdp) : null,
      ]);
      return { value, envelope, verdict, descriptionSigned };
    });
    this.inbound = this.inbound.then(async () => {
      const { value, envelope, verdict, descriptionSigned } = await checked;
      if (value === null && onRoomTopic && !this.left) this.keyMismatch.undecryptable();
      if (!envelope) return;
      this.keyMismatch.validSignal();
      if (this.opts.auth.admit(envelope, verdict ?? 'malformed')) await this.onSignal(envelope, descriptionSigned === true);
    }).catch((err: unknown) => console.warn('[confab] signal handling failed:', err));
  }

  async replaceTrack(kind: MediaKind, track: MediaStreamTrack | null): Promise<void> {
    await Promise.all(this.peers.links().map((l) => l.replaceTrack(kind, track)));
  }

  /** A tagged message on the data channel to `peerId`; false if that channel is not open. */
  sendData(peerId: string, tag: number, bytes: Uint8Array): boolean {
    const link = this.peers.linkOf(peerId);
    return !!link && frameMessage(tag, bytes).every((frame) => link.sendData(frame));
  }

  remotePeers(): RemotePeer[] {
    return this.peers.shown();
  }

  /** Peer connections open or being made now. */
  linkCount(): number {
    return this.peers.links().length;
  }

  link(peerId: string): PeerLink | undefined {
    return this.peers.linkOf(peerId);
  }

  leave(): void {
    if (this.left) return;
    this.left = true;
    const bye = new Uint8Array([ChannelTag.Bye]);
    const links = this.peers.links();
    for (const link of links) link.sendData(bye);
    void this.broadcast({ kind: 'bye' });
    for (const link of links) link.close('left');
    this.links.stop();
    this.keyMismatch.dispose();
  }

  /** Peers that announced that a relay carries them (no link with us, unless one is wanted). */
  linklessPeerIds(): string[] {
    return this.peers.linklessIds();
  }

  /** `descriptionSigned`: a description's own signature was checked and holds. */
  private async onSignal({ from, to, msg, auth }: SignalEnvelope, descriptionSigned = false): Promise<void> {
    if (this.left || from === this.opts.selfId) return;
    if (to !== undefined && to !== this.opts.selfId) return;
    switch (msg.kind) {
      case 'announce': {
        if (!(await this.welcomes(from, await this.opts.gate.check(from, msg.key, msg.proof), msg.key))) return;
        if (msg.pkg !== undefined) this.opts.onKeyPackage?.(from, msg.pkg);
        if (msg.entry !== undefined) this.opts.onParticipantEntry?.(from, msg.entry);
        const peer = this.peers.of(from);
        const known = peer.instance;
        peer.instance = msg.instance;
        if (known !== undefined && known !== msg.instance) peer.link?.close('reloaded');
        if (to === undefined) void this.sendTo(from, this.announcement());
        const wasLinkless = peer.linkless;
        peer.linkless = msg.mesh === false;
        if (wasLinkless !== peer.linkless) this.changed();
        const wanted = [msg.mesh !== false, this.opts.linksWanted()].filter(Boolean).length;
        if (wanted === 0) this.links.unlink(from);
        else if (wanted === 1 && !peer.link) this.links.dialLater(from);
        else if (this.links.isOfferer(from)) this.links.ensure(from).start();
        else this.links.heardFromTroubled(from);
        break;
      }
      case 'bye': {
        const peer = this.peers.get(from);
        // A goodbye from another page load of the peer (an old tab's, replayed) ends nothing of this one.
        if (peer?.instance !== undefined && peer.instance !== auth?.inst) return;
        if (peer) {
          peer.linkless = false;
          peer.instance = undefined;
        }
        peer?.link?.close('bye');
        this.opts.onGone?.(from);
        break;
      }
      case 'description': {
        const { key, description, dial } = msg;
        if (!this.peers.linkOf(from) && description.type !== 'offer') return;
        if (!descriptionSigned) {
          console.warn(`[confab] dropping a description from ${from}: its signature does not match its key`);
          return;
        }
        if (!(await this.welcomes(from, this.opts.gate.exclusion(key), key))) return;
        const signal: LinkSignal & { kind: 'description' } = { kind: 'description', description, dial };
        void this.links.forDescription(from, signal)?.handle(signal);
        break;
      }
      case 'candidate':
        void this.peers.linkOf(from)?.handle(msg);
        break;
      case 'refused':
        // A link still being set up goes; an open one is the refuser's to close (an honest one does).
        if (!this.peers.get(from)?.shown) this.peers.linkOf(from)?.close(`refused: ${msg.reason}`);
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
        this.opts.onRelaySignal?.(msg);
        break;
    }
  }

  /** Remembers a welcome peer's key; tells an excluded one why. */
  private async welcomes(from: string, verdict: Awaited<ReturnType<PeerGate['check']>>, key: string): Promise<boolean> {
    if (verdict === null) {
      this.peers.of(from).key = key;
      return true;
    }
    if (verdict === 'invalid') {
      console.warn(`[confab] ignoring ${from}: its key does not match its peer id`);
    } else {
      await this.sendTo(from, { kind: 'refused', reason: verdict, records: this.opts.gate.recordsFor(key) });
      this.peers.linkOf(from)?.close(`refused: ${verdict}`);
    }
    return false;
  }

  private announcement(): PeerSignal {
    const mesh = this.opts.linksWanted() ? {} : { mesh: false };
    const pkg = this.opts.keyPackage === undefined ? {} : { pkg: this.opts.keyPackage };
    const entry = this.opts.participantEntry?.() ?? undefined;
    return { kind: 'announce', key: this.opts.gate.selfKey, proof: this.opts.gate.proof(), instance: this.opts.auth.inst, ...mesh, ...pkg, ...(entry ? { entry } : {}) };
  }

  /** Descriptions leave signed with our participant key over their DTLS fingerprints. */
  private async sendLinkSignal(peerId: string, signal: LinkSignal): Promise<void> {
    if (signal.kind === 'candidate') return this.sendTo(peerId, signal);
    const sig = await this.opts.gate.signDescription(peerId, signal.description.sdp);
    return this.sendTo(peerId, { ...signal, key: this.opts.gate.selfKey, sig });
  }

  private changed(): void {
    this.opts.onPeersChanged(this.remotePeers());
  }

  private broadcast(msg: PeerSignal): Promise<void> {
    return this.out.broadcast(this.opts.auth.broadcast(msg));
  }

  /**
   * Per recipient, signals leave in the order they were sent, whatever signing costs. Each names
   * the recipient's page load it last heard from, so it counts for no other.
   */
  private sendTo(peerId: string, msg: PeerSignal): Promise<void> {
    const envelope = this.opts.auth.to(peerId, msg);
    if (!envelope) return Promise.resolve(); // it has signed nothing to us: nothing to answer
    return this.out.sendTo(peerId, envelope);
  }
}

import { createSignal, type Accessor } from 'solid-js';
import { IndexeddbPersistence } from 'y-indexeddb';
import type { Exclusion, RoomControlState } from '../../../crdt/room/control-records';
import { emptyControlState, exclusionOf, mayParticipate } from '../../../crdt/room/control-records';
import { DocSync } from '../../../crdt/room/doc-sync';
import { RoomControls } from '../../../crdt/room/room-controls';
import { RoomDoc, type ChatMessage, type Participant, type Reaction } from '../../../crdt/room/room-doc';
import { SignedRoom } from '../../../crdt/room/signed-room';
import type { MediaEncryption } from '../media/e2ee/media-encryption';
import type { MediaKeys } from '../media/e2ee/media-keys';
import type { LocalMedia } from '../media/local-media';
import type { ScreenShare } from '../media/screen-share';
import { openToLinkHolders, RelayRoomState } from '../relay-node/relay-room-state';
import { Admission } from './admission';
import { loadIdentities, type Identities } from './identities';
import { MeshSession } from '../mesh/mesh-session';
import { relayCredentials } from '../relay-node/relay-credentials';
import { SignedSignals } from '../signaling/signed-signals';
import { meshLinksWanted, relayUrlFor, type Topology } from '../topology/topology';
import type { StageView } from '../topology/topology-host';
import { TopologySwitch } from '../topology/topology-switch';
import { deriveRoomKeys, type RoomKeys } from '../../../crdt/identity/room-keys';
import { signalingUrlFor, type RoomLink } from '../../../crdt/identity/room-link';
import { SignalingClient, type SignalingRefusal, type SignalingStatus } from '../signaling/signaling-client';
import { storedControlLog } from '../storage/stored-control-log';
import { LocalMember } from './local-member';
import type { PeerView } from './peer-views';
import { RemoteMembers } from './remote-members';
import { Moderation, roleOfKey, type Role } from './room-moderation';
import { markJoin } from './join-timeline';

/** Where this person stands: in the call, or kept out and why ('knocking': asked to join). */
export type Standing = 'in' | 'knocking' | Exclusion;

/**
 * Everything one person's presence in a room needs, wired together: the room document and its
 * sync, the signed control records, the signaling client, our own media and keys
 * (local-member.ts), everyone else (remote-members.ts) over the mesh and relay links, and the
 * switch between them, exposed to the views as signals. It is made when the join screen
 * opens, so keys and the signaling socket are ready by the time the person clicks Join;
 * nothing is announced before start().
 */
export class RoomSession {
  selfId = '';
  selfKey = '';
  readonly hostHeld: Accessor<boolean>;
  readonly room = new RoomDoc();
  /** The room as shown: entries verified against their authors' keys; our writes signed. */
  readonly signed: SignedRoom;
  /** Our own microphone, camera, screen and media keys. */
  readonly local: LocalMember;
  readonly controls: RoomControls;
  readonly moderation: Moderation;
  readonly peers: Accessor<PeerView[]>;
  /** Everyone else: mesh links and the relay's publishers as one list of views. */
  readonly remote: RemoteMembers;
  readonly participants: Accessor<Participant[]>;
  readonly chat: Accessor<ChatMessage[]>;
  readonly signalingStatus: Accessor<SignalingStatus>;
  readonly controlState: Accessor<RoomControlState>;
  readonly standing: Accessor<Standing>;
  /** Resolves when keys, identity and the stored room document are loaded. */
  readonly prepared: Promise<void>;
  private readonly setStanding: (s: Standing) => void;
  /** Set while the signaling server turns this room away (full); the Room view says so. */
  readonly signalingRefusal: Accessor<SignalingRefusal | null>;
  /** The room answered "cannot decrypt you": the link's secret is wrong, or the room is gone. */
  readonly linkRejected: Accessor<boolean>;
  private readonly setLinkRejected: (rejected: boolean) => void;
  /** Mesh, or relay (media through the relay node; the room document still over mesh channels). */
  readonly topology: Accessor<Topology>;
  /** The relay node failed us; the room runs as a mesh and the relay is tried again. */
  readonly relayLost: Accessor<boolean>;
  /** Mesh or relay, and which relay (read by the debug hooks too). */
  readonly switch: TopologySwitch;
  /** What the stage shows, which a relay link needs to know (which tiles, how big, who is pinned). */
  readonly stage: StageView;
  private readonly sync = new DocSync(this.room.doc);
  /** The room document and media keys through relay links. */
  private readonly relayRoom = new RelayRoomState(
    this.sync,
    () => this.mediaKeys,
    () => this.refreshLinksWanted(),
    () => openToLinkHolders(this.controls.state),
  );
  /** Whether we want peer links (as last told to our peers). */
  private linksWanted = true;
  private readonly keys: Promise<RoomKeys>;
  protected readonly identities: Promise<Identities>;
  private readonly signaling: SignalingClient;
  protected mesh: MeshSession | null = null;
  private gate: Admission | null = null;
  private name = '';
  private left = false;
  private readonly unsubscribe: (() => void)[] = [];
  /** This browser's copy of the room document: a reload or crash loses no chat. */
  private readonly persistence: IndexeddbPersistence;

  constructor(
    readonly link: RoomLink,
    readonly media: LocalMedia,
    /** From a host link: kept in this browser, which becomes a host device. */
    hostKeyFromLink?: string,
  ) {
    const [participants, setParticipants] = createSignal<Participant[]>([]);
    const [chat, setChat] = createSignal<ChatMessage[]>([]);
    const [status, setStatus] = createSignal<SignalingStatus>('connecting');
    const [controlState, setControlState] = createSignal<RoomControlState>(emptyControlState(), { equals: false });
    const [standing, setStanding] = createSignal<Standing>('in');
    const [hostHeld, setHostHeld] = createSignal(false);
    this.hostHeld = hostHeld;
    const [refusal, setRefusal] = createSignal<SignalingRefusal | null>(null);
    this.remote = new RemoteMembers({
      mesh: () => this.mesh,
      relay: () => this.switch.connectedRelay(),
      excluded: (id) => this.knownExcluded(id),
      shownChanged: () => this.refreshLinksWanted(),
      updated: () => this.mediaKeys?.changed(),
    });
    this.peers = this.remote.peers;
    this.participants = participants;
    this.chat = chat;
    this.signalingStatus = status;
    [this.linkRejected, this.setLinkRejected] = createSignal(false);
    this.signalingRefusal = refusal;
    this.controlState = controlState;
    this.standing = standing;
    this.setStanding = setStanding;
    // A removed person's relay choice does not count (nor does anyone's the records keep out).
    this.signed = new SignedRoom(this.room, link.roomId, (key) => mayParticipate(this.controls.state, key));
    this.local = new LocalMember({
      roomId: link.roomId,
      media,
      signed: this.signed,
      controls: () => this.controls.state,
      mesh: () => this.mesh,
      connectedRelay: () => this.switch.connectedRelay(),
      sendToRelays: (kind, track) => this.switch.replaceTrack(kind, track),
      relayRoom: this.relayRoom,
      shownPeers: () => this.peers().map((p) => p.id),
      excluded: (id) => this.knownExcluded(id),
      screenChanged: () => this.refreshLinksWanted(),
    });
    this.unsubscribe.push(
      this.signed.onChange(() => {
        this.mediaKeys?.changed();
        setParticipants(this.signed.participants());
        setChat(this.signed.chat());
        this.switch?.recordedRelayChanged(this.signed.relayChoice()?.relay ?? null);
      }),
    );
    this.controls = new RoomControls(link.roomId, this.room, storedControlLog(link.roomId));
    this.unsubscribe.push(this.controls.onChange((state) => {
      setControlState(state);
      this.onControlsChanged();
    }));
    const persistence = (this.persistence = new IndexeddbPersistence(`confab-room-${link.roomId}`, this.room.doc));
    const keys = (this.keys = deriveRoomKeys(link));
    const identities = (this.identities = loadIdentities(link.roomId, hostKeyFromLink));
    const controls = this.controls;
    const signed = this.signed;
    const local = this.local;
    this.prepared = (async () => {
      const ids = await identities;
      this.selfId = ids.selfId;
      this.selfKey = ids.self.publicKey;
      signed.signAs(ids.self, ids.selfId);
      local.prepareKeys(ids.selfId, ids.self);
      setHostHeld(ids.host !== null);
      await Promise.all([keys, persistence.whenSynced]);
      await controls.settled();
    })();
    this.moderation = new Moderation({
      roomId: link.roomId,
      controls: this.controls,
      controlState,
      identities: this.identities,
      mesh: () => this.mesh,
      present: () => this.peers().map((p) => p.id),
    });
    const signalingUrl = link.signalingUrl ?? signalingUrlFor(location);
    this.signaling = new SignalingClient({
      url: signalingUrl,
      onMessage: (topic, data) => this.mesh?.receive(topic, data),
      onStatus: (s) => {
        setRefusal(this.signaling.refusal);
        setStatus(s);
      },
      onOpen: () => this.mesh?.reannounce(),
      onWelcome: () => void this.switch.welcomed(),
    });
    this.switch = new TopologySwitch({
      meshPeerIds: () => this.remote.knownPeerIds(),
      relayOffer: () => this.signaling.relay,
      relayUrl: () => relayUrlFor(signalingUrl),
      recordedRelay: () => this.signed.relayChoice()?.relay ?? null,
      relayPolicy: () => ({ open: openToLinkHolders(this.controls.state), approved: this.controls.state.approvedRelays }),
      roomKey: async () => (await keys).roomTopic,
      selfId: () => this.selfId,
      relayCredentials: () => relayCredentials(link.roomId, this.identities.then((ids) => ids.self), this.controls, keys.then((k) => k.relayAccess)),
      localTrack: (kind) => this.local.track(kind),
      iceServers: () => this.signaling.iceServers,
      protect: (t, media) => this.encryption?.protect(t, media),
      relayRoom: {
        sealer: {
          sealMessage: async (plain) => (await keys).sealMessage(plain),
          openMessage: async (sealed) => (await keys).openMessage(sealed),
        },
        handlers: this.relayRoom,
      },
      setMeshMedia: (on) => {
        this.local.meshMedia.setOn(on);
        this.refreshLinksWanted();
      },
      relayLostChanged: (lost) => this.local.meshMedia.setDegraded(lost),
      recordRelay: (url) => void this.signed.setRelayChoice(url),
      changed: () => this.remote.update(),
    });
    this.stage = this.switch;
    this.topology = this.switch.topology;
    this.relayLost = this.switch.relayLost;
  }

  /** Our shared screen (the Room view's Share button and the stage). */
  get screen(): ScreenShare {
    return this.local.screen;
  }

  get encryption(): MediaEncryption | null {
    return this.local.encryption;
  }

  protected get mediaKeys(): MediaKeys | null {
    return this.local.mediaKeys;
  }

  /** Host: this browser holds the host key. Co-host: the host's record names our key. */
  role(): Role {
    return this.hostHeld() ? 'host' : this.controlState().cohosts.has(this.selfKey) ? 'cohost' : 'guest';
  }

  /** What the records say a connected peer is. */
  roleOf(peerId: string): Role {
    return roleOfKey(this.controlState(), this.mesh?.keyOf(peerId));
  }

  async start(name: string): Promise<void> {
    this.name = name;
    await this.prepared;
    const ids = await this.identities;
    if (ids.host) await this.moderation.claimHostSession();
    const own = this.controls.state;
    const exclusion = own.ended ? 'ended' : own.removed.has(ids.self.publicKey) ? 'removed' : null;
    if (exclusion) return this.shutOut(exclusion);
    const signaling = this.signaling;
    const joined = this.signed.join({ name, micOn: this.media.micOn(), camOn: this.media.camOn() });
    const gate = (this.gate = new Admission(this.link.roomId, this.selfId, ids.self, this.controls));
    this.local.startKeys(this.selfId, ids.self);
    this.mesh = new MeshSession({
      selfId: this.selfId,
      auth: new SignedSignals(this.link.roomId, this.selfId, ids.self),
      ...(await this.local.meshKeyHooks()),
      // Signals are sealed with a key from the link: our name rides in them only while anyone with the link may join anyway.
      participantEntry: () => (openToLinkHolders(this.controls.state) ? this.signed.ownEntry() : null),
      onParticipantEntry: (from, entry) => void this.signed.consider(from, entry),
      keys: await this.keys,
      signaling: this.signaling,
      sync: this.sync,
      gate,
      localTrack: (kind) => this.local.meshMedia.track(kind),
      linksWanted: () => this.linksWanted,
      // A getter: each new connection reads the servers of the latest welcome frame, which
      // may arrive after Join (a reload goes straight in).
      rtcConfig: {
        get iceServers() {
          return signaling.iceServers;
        },
      },
      onPeersChanged: (peers) => {
        this.remote.meshChanged(peers);
        this.switch.reconsider();
      },
      onRefused: (from, msg) => void this.onRefused(gate, from, msg.records),
      onKnock: (from, msg) => void this.moderation.onKnock(from, msg.key, msg.name),
      onDecision: (_from, msg) => void gate.keep(msg.records),
      onGone: (peerId) => this.moderation.forget(peerId),
      onKeyMismatch: (suspected) => this.setLinkRejected(suspected),
      onRelaySignal: (signal) => this.switch.heard(signal),
    });
    this.local.followChanges();
    await joined.catch(() => {}); // our announce carries our entry (a failed write is logged by SignedRoom)
    await this.mesh.start();
    markJoin('announced');
  }

  /** Asks the host (and co-hosts) of a locked room to let us in. */
  knock(): void {
    this.setStanding('knocking');
    this.mesh?.knock(this.name);
  }

  /** The participant record of a connected peer (names arrive with the room document). */
  participant(peerId: string): Participant | undefined {
    return this.participants().find((p) => p.id === peerId);
  }

  publishMediaState(): void {
    this.local.publishMediaState();
  }

  setHand(up: boolean): void {
    void this.signed.setHand(up);
  }

  /** The Recording mark on our entry: everyone sees it while we record the call locally. */
  setRecording(on: boolean): void {
    void this.signed.setRecording(on);
  }

  react(emoji: Reaction): void {
    void this.signed.react(emoji);
  }

  sendChat(text: string): void {
    void this.signed.sendChat(text);
  }

  leave(): void {
    if (this.left) return;
    this.left = true;
    if (this.mesh) void this.signed.leave();
    this.mesh?.leave();
    this.switch.close();
    this.local.stop();
    this.signaling.close();
    for (const stop of this.unsubscribe) stop();
    this.controls.destroy();
    this.signed.destroy();
    this.sync.destroy();
    void this.persistence.destroy();
  }

  /** Out for good: leave, and turn the camera and microphone off. */
  protected shutOut(reason: 'ended' | 'removed'): void {
    this.setStanding(reason);
    this.leave();
    this.media.stop();
  }

  /** A refusal tells us the records that keep us out; they go in our own doc if genuine. */
  private async onRefused(gate: Admission, from: string, records: unknown[]): Promise<void> {
    await gate.keep(records);
    // Knocking: someone new who may let us in has just turned up.
    if (this.standing() === 'knocking') this.mesh?.signal(from, { kind: 'knock', key: gate.selfKey, name: this.name });
  }

  private onControlsChanged(): void {
    this.relayRoom.refresh();
    this.switch?.reconsider(); // a lock or an approval changes which joined relays the room may use
    this.mediaKeys?.changed();
    if (!this.mesh || !this.gate || this.left) return;
    this.mesh.enforce();
    this.remote.update();
    const exclusion = exclusionOf(this.controls.state, this.gate.selfKey);
    const before = this.standing();
    if (exclusion === 'ended' || exclusion === 'removed') {
      this.shutOut(exclusion);
    } else if (exclusion === null) {
      this.setStanding('in');
      // Just let in: say hello again, with the admission as proof.
      if (before !== 'in') this.mesh.reannounce();
    } else if (!(exclusion === 'locked' && before === 'knocking')) {
      this.setStanding(exclusion);
    }
  }

  /**
   * Someone the room's records keep out (removed, or not admitted to a locked room) whose mesh
   * link we closed: not shown even in the moment before the relay, which enforces the same
   * records, drops them.
   */
  private knownExcluded(peerId: string): boolean {
    const key = this.mesh?.keyOf(peerId);
    return key !== undefined && (this.gate?.exclusion(key) ?? null) !== null;
  }

  /** Tells peers when this page's need for peer links changes (topology.ts, meshLinksWanted). */
  private refreshLinksWanted(): void {
    const wanted = meshLinksWanted({
      meshMedia: this.local.meshMedia.on,
      relayCarriesRoom: this.relayRoom.carrying(),
      screenOnLinks: this.screen.track() !== null && this.local.meshMedia.screenOnMesh(),
      people: this.peers().length + 1,
    });
    if (wanted === this.linksWanted) return;
    this.linksWanted = wanted;
    this.mesh?.linksWantedChanged();
  }
}

import type { SigningIdentity } from '../../../crdt/identity/host-identity';
import { ChannelTag } from '../../../crdt/protocol/wire';
import type { RoomControlState } from '../../../crdt/room/control-records';
import type { SignedRoom } from '../../../crdt/room/signed-room';
import { MediaEncryption } from '../media/e2ee/media-encryption';
import { newKeyPackage, type KeyPackageSecret } from '../media/e2ee/media-key-message';
import { MediaKeys } from '../media/e2ee/media-keys';
import type { LocalMedia } from '../media/local-media';
import type { MediaKind } from '../media/media-kind';
import { ScreenShare } from '../media/screen-share';
import { MeshMedia } from '../mesh/mesh-media';
import type { MeshSession, MeshSessionOptions } from '../mesh/mesh-session';
import type { RelayMedia } from '../relay-node/relay-media';
import type { RelayRoomState } from '../relay-node/relay-room-state';
import { markJoin } from './join-timeline';

export interface LocalMemberOptions {
  roomId: string;
  media: LocalMedia;
  signed: SignedRoom;
  controls(): RoomControlState;
  mesh(): MeshSession | null;
  /** The relay link carrying our media now (null: a mesh). */
  connectedRelay(): RelayMedia | null;
  /** Puts a track of ours on every relay link. */
  sendToRelays(kind: MediaKind, track: MediaStreamTrack | null): void;
  /** Room channels of relay links: media-key messages go there too. */
  relayRoom: RelayRoomState;
  /** Peers shown now. */
  shownPeers(): string[];
  /** Known to be kept out by the room's records. */
  excluded(peerId: string): boolean;
  /** Our screen started or stopped: whether we want peer links may change. */
  screenChanged(): void;
}

/**
 * This page's own member of the room: its microphone, camera and shared screen, what of them
 * goes over mesh links (mesh-media.ts) and relay links, and the end-to-end media keys it holds
 * and hands out (media-keys.ts), which exist from Join on.
 */
export class LocalMember {
  readonly screen = new ScreenShare();
  /** What goes over mesh links. */
  readonly meshMedia: MeshMedia;
  /** End-to-end media encryption: the worker that seals frames, and the membership-bound epochs. */
  encryption: MediaEncryption | null = null;
  mediaKeys: MediaKeys | null = null;
  private prepared: { encryption: MediaEncryption; keyPackage: Promise<KeyPackageSecret> } | null = null;

  constructor(private readonly o: LocalMemberOptions) {
    this.meshMedia = new MeshMedia({
      local: (kind) => this.track(kind),
      relayForwardsScreens: () => o.connectedRelay()?.forwardsScreens === true,
      send: async (kind, track) => o.mesh()?.replaceTrack(kind, track),
    });
  }

  /** Our camera, microphone or shared screen, whatever the path. */
  track(kind: MediaKind): MediaStreamTrack | null {
    return kind === 'screen' ? this.screen.track() : this.o.media.track(kind);
  }

  /**
   * While the join screen shows: the encryption worker starts and our key package is made, so
   * the click on Join waits for neither.
   */
  prepareKeys(selfId: string, identity: SigningIdentity): void {
    if (this.prepared) return;
    const encryption = new MediaEncryption();
    encryption.setSelf(selfId);
    this.prepared = { encryption, keyPackage: newKeyPackage(this.o.roomId, identity) };
  }

  /** Joining: frames are sealed from now on, under epochs shared with the members we see. */
  startKeys(selfId: string, identity: SigningIdentity): { encryption: MediaEncryption; mediaKeys: MediaKeys } {
    this.prepareKeys(selfId, identity);
    const { encryption, keyPackage } = this.prepared!;
    this.encryption = encryption;
    const mediaKeys = (this.mediaKeys = new MediaKeys({
      room: this.o.roomId,
      identity,
      selfId,
      keyPackage,
      controls: this.o.controls,
      visiblePeers: () => this.visibleAdmittedPeers(),
      send: (to, bytes) => this.sendKeyMessage(to, bytes),
      install: (e) => encryption.installEpoch(e.epoch, e.secret, e.members),
      sendUnder: (epoch) => {
        markJoin('media-key');
        encryption.sendUnder(epoch);
      },
    }));
    return { encryption, mediaKeys };
  }

  /** What mesh links do with our keys (after startKeys): seal and open media, hand out our key package, take key messages. */
  async meshKeyHooks(): Promise<Pick<MeshSessionOptions, 'protect' | 'onChannelOpen' | 'onMediaKey' | 'keyPackage' | 'onKeyPackage'>> {
    const { encryption, mediaKeys } = this;
    if (!encryption || !mediaKeys) throw new Error('meshKeyHooks before startKeys');
    return {
      protect: (t, media) => encryption.protect(t, media),
      // Everyone we link with gets our key package (our announce carries it too): a committer seals the next epoch to it.
      onChannelOpen: (peerId) => void mediaKeys.greet(peerId),
      onMediaKey: (_from, bytes) => void mediaKeys.receive(bytes),
      keyPackage: new TextDecoder().decode(await mediaKeys.ownPackage()),
      onKeyPackage: (_from, pkg) => void mediaKeys.receive(new TextEncoder().encode(pkg)),
    };
  }

  /** From now on a changed camera, microphone or screen reaches every link and the room document. */
  followChanges(): void {
    this.o.media.onTrackChange = async (kind, track) => {
      if (kind !== 'screen') this.o.sendToRelays(kind, track);
      this.publishMediaState();
      await this.meshMedia.changed(kind);
    };
    this.screen.onChange = (track) => {
      this.o.screenChanged();
      this.o.sendToRelays('screen', track);
      void this.meshMedia.changed('screen');
      void this.o.signed.setMedia({ screenOn: track !== null });
    };
  }

  publishMediaState(): void {
    void this.o.signed.setMedia({ micOn: this.o.media.micOn(), camOn: this.o.media.camOn() });
  }

  stop(): void {
    this.screen.stop();
    this.meshMedia.stop();
    (this.encryption ?? this.prepared?.encryption)?.stop();
  }

  /** A media-key message to one peer or to everyone, over peer links and every relay room channel (each message proves itself). */
  private sendKeyMessage(to: string | null, bytes: Uint8Array): void {
    const mesh = this.o.mesh();
    if (mesh) for (const peer of mesh.remotePeers()) if (to === null || peer.id === to) mesh.sendData(peer.id, ChannelTag.MediaKey, bytes);
    this.o.relayRoom.sendKeyMessage(to, bytes);
  }

  /** Who may hold the next media epoch: peers shown now, with a verified participant entry, that the records let in. */
  private visibleAdmittedPeers(): string[] {
    const listed = new Set(this.o.signed.participants().map((p) => p.id));
    return this.o.shownPeers().filter((id) => listed.has(id) && !this.o.excluded(id));
  }
}

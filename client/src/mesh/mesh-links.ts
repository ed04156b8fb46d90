import { frameMessage, Reassembler } from '../../../crdt/protocol/channel-framing';
import { ChannelTag, type LinkSignal } from '../../../crdt/protocol/wire';
import { MAX_SYNC_MESSAGE_BYTES, type DocSync } from '../../../crdt/room/doc-sync';
import type { MediaKind, RtpMedia } from '../media/media-kind';
import { LinkRecovery, type PeerReach, type RecoveryAction } from './link-recovery';
import type { MeshPeer, MeshPeers, PeerCare } from './mesh-peers';
import { PeerLink } from './peer-link';
import { markJoin } from '../session/join-timeline';

const SIGNALING_PROBE_EVERY_MS = 1_000;
/**
 * When only one side of a pair wants a link (a newcomer to a room that a relay carries), the
 * dial waits this long: the newcomer usually reaches the relay first, and then neither side
 * wants the link. Past it, the link is made (the newcomer may never reach the relay).
 */
const ONE_SIDED_DIAL_DELAY_MS = 4_000;
/** A redial does not cut short a dial whose ICE/DTLS is under way and younger than this. */
const DIAL_IN_PROGRESS_GRACE_MS = 20_000;

export interface MeshLinksOptions {
  selfId: string;
  peers: MeshPeers;
  sync: DocSync;
  rtcConfig?: RTCConfiguration;
  /** The RTCPeerConnection class (a fake one in unit tests). */
  PeerConnection?: typeof RTCPeerConnection;
  localTrack(kind: MediaKind): MediaStreamTrack | null;
  protect?(t: RTCRtpTransceiver, media: RtpMedia): void;
  /** Sends a link's offer, answer or candidate to its peer (signed and sealed by the session). */
  send(peerId: string, signal: LinkSignal): void;
  /** Whether we want links with peers that say a relay carries them. */
  linksWanted(): boolean;
  onChannelOpen?(peerId: string): void;
  onMediaKey?(from: string, bytes: Uint8Array): void;
  /** While any link is reconnecting: check that our signaling socket still works. */
  probeSignaling(): void;
  /** Who is shown, or how they are reached, changed. */
  changed(): void;
  /** The session has left: nothing is dialled or recovered any more. */
  left(): boolean;
}

/**
 * One PeerLink per remote peer: making it (the data channel carries the room document, media
 * keys and bye), replacing it on a redial or a newer offer, recovering it through network
 * trouble (link-recovery.ts), and what the peer's tile shows meanwhile.
 */
export class MeshLinks {
  private probeTimer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly opts: MeshLinksOptions) {}

  /** The peer with the greater id makes the first offer; the other is polite. */
  isOfferer(remoteId: string): boolean {
    return this.opts.selfId > remoteId && !this.opts.peers.linkOf(remoteId);
  }

  ensure(remoteId: string): PeerLink {
    const peer = this.opts.peers.of(remoteId);
    if (peer.link) return peer.link;
    const { stream, screen, recovery } = this.careFor(peer);
    const reassembler = new Reassembler(MAX_SYNC_MESSAGE_BYTES);
    const link: PeerLink = new PeerLink({
      remoteId,
      polite: this.opts.selfId < remoteId,
      rtcConfig: this.opts.rtcConfig,
      PeerConnection: this.opts.PeerConnection,
      localTrack: this.opts.localTrack,
      send: (signal) => this.opts.send(remoteId, signal),
      protect: this.opts.protect,
      onTrack: (track, kind) => {
        (kind === 'screen' ? screen : stream).addTrack(track);
        this.opts.changed();
      },
      onChannelOpen: () => {
        markJoin('linked');
        this.opts.sync.addChannel(remoteId, {
          send: (bytes) => {
            for (const frame of frameMessage(ChannelTag.Yjs, bytes)) link.sendData(frame);
          },
        });
        this.opts.peers.show(peer, { id: remoteId, stream, screen, reach: recovery.state });
        this.opts.changed();
        this.opts.onChannelOpen?.(remoteId);
      },
      onData: (frame) => {
        const message = reassembler.push(frame);
        if (message?.tag === ChannelTag.Yjs) this.opts.sync.receive(remoteId, message.bytes);
        else if (message?.tag === ChannelTag.Bye) link.close('bye');
        else if (message?.tag === ChannelTag.MediaKey) this.opts.onMediaKey?.(remoteId, message.bytes);
      },
      onConnectionState: (state) => {
        if (peer.link === link) recovery.onState(state);
      },
      onClose: () => {
        if (peer.link !== link) return;
        peer.link = undefined;
        peer.shown = undefined;
        recovery.dispose();
        peer.care = undefined;
        this.watchSignaling();
        this.opts.sync.removeChannel(remoteId);
        this.opts.changed();
      },
    });
    peer.link = link;
    return link;
  }

  /** The link an incoming description is for: a new one for a first offer or a redial. */
  forDescription(from: string, msg: LinkSignal & { kind: 'description' }): PeerLink | undefined {
    const existing = this.opts.peers.linkOf(from);
    const offer = msg.description.type === 'offer';
    if (!existing) return offer ? this.ensure(from) : undefined;
    const redialed = offer && msg.dial !== undefined && existing.dial !== undefined && msg.dial > existing.dial;
    return redialed ? this.replace(from) : existing;
  }

  /** Dials `peerId` after ONE_SIDED_DIAL_DELAY_MS if one side still wants the link and we are the dialing side. */
  dialLater(peerId: string): void {
    const peer = this.opts.peers.of(peerId);
    if (peer.dialTimer) return;
    peer.dialTimer = setTimeout(() => {
      peer.dialTimer = undefined;
      const wanted = !peer.linkless || this.opts.linksWanted();
      if (!this.opts.left() && wanted && peer.instance !== undefined && this.isOfferer(peerId)) this.ensure(peerId).start();
    }, ONE_SIDED_DIAL_DELAY_MS);
  }

  /** Both sides have a relay: the link goes, with a bye so the other side does not try to recover it. */
  unlink(peerId: string): void {
    const link = this.opts.peers.linkOf(peerId);
    if (!link) return;
    link.sendData(new Uint8Array([ChannelTag.Bye]));
    link.close('a relay carries us both');
  }

  /**
   * A peer we lost announced itself again (its signaling is back): if we are the side that
   * dials, dial a fresh connection now rather than wait for the next redial.
   */
  heardFromTroubled(remoteId: string): void {
    this.opts.peers.get(remoteId)?.care?.recovery.redial();
  }

  /** After our signaling came back: offers sent while it was down are lost, so the dialing side starts afresh. */
  redialAll(): void {
    for (const peer of this.opts.peers.all()) peer.care?.recovery.redial();
  }

  /** Leaving: no more probes or held-back dials. */
  stop(): void {
    clearInterval(this.probeTimer);
    for (const peer of this.opts.peers.all()) clearTimeout(peer.dialTimer);
  }

  private careFor(peer: MeshPeer): PeerCare {
    if (!peer.care) {
      const remoteId = peer.id;
      const recovery = new LinkRecovery({
        impolite: this.opts.selfId > remoteId,
        act: (action) => this.recover(remoteId, action),
        onReach: (reach) => this.reachChanged(peer, reach),
      });
      peer.care = { stream: new MediaStream(), screen: new MediaStream(), recovery };
    }
    return peer.care;
  }

  private recover(remoteId: string, action: RecoveryAction): void {
    if (this.opts.left()) return;
    console.info(`[confab] connection to ${remoteId}: ${action}`);
    const link = this.opts.peers.linkOf(remoteId);
    if (action === 'restart-ice') link?.restartIce();
    else if (action === 'redial' && !(link && dialInProgress(link))) this.replace(remoteId).start();
    else if (action === 'drop') link?.close('unreachable');
  }

  /** A fresh connection to the same peer, keeping its tile (same stream) and its recovery. */
  private replace(remoteId: string): PeerLink {
    const peer = this.opts.peers.of(remoteId);
    const old = peer.link;
    const care = this.careFor(peer);
    peer.link = undefined;
    for (const media of [care.stream, care.screen]) for (const track of media.getTracks()) media.removeTrack(track);
    const link = this.ensure(remoteId);
    old?.close('replaced');
    return link;
  }

  /** Reconnecting or unreachable shows on the tile; a peer never reached gets a tile to say so. */
  private reachChanged(peer: MeshPeer, reach: PeerReach): void {
    console.info(`[confab] connection to ${peer.id}: ${reach}`);
    if (peer.shown) peer.shown.reach = reach;
    else if (reach === 'unreachable') {
      const { stream, screen } = this.careFor(peer);
      this.opts.peers.show(peer, { id: peer.id, stream, screen, reach });
    }
    this.watchSignaling();
    this.opts.changed();
  }

  /** While any connection is reconnecting, check often that our signaling socket still works. */
  private watchSignaling(): void {
    const troubled = this.opts.peers.all().some((p) => p.care?.recovery.state === 'reconnecting');
    if (troubled && !this.probeTimer && !this.opts.left()) {
      this.probeTimer = setInterval(() => this.opts.probeSignaling(), SIGNALING_PROBE_EVERY_MS);
    } else if (!troubled && this.probeTimer) {
      clearInterval(this.probeTimer);
      this.probeTimer = undefined;
    }
  }
}

/** The answer came and ICE/DTLS are at work (slow on a loaded machine): let it finish. */
function dialInProgress(link: PeerLink): boolean {
  return link.pc.connectionState === 'connecting' && Date.now() - (link.dial ?? 0) < DIAL_IN_PROGRESS_GRACE_MS;
}

import type { SigningIdentity } from '../../../crdt/identity/host-identity';
import { inboundVideo } from '../media/stats/rtc-stats';
import type { MeshSession } from '../mesh/mesh-session';
import { RoomSession } from '../session/room-session';

/**
 * RoomSession with the read-outs the e2e tests and the bench use (through window.confabDebug),
 * and the one behaviour a tampered client changes. Only a test build (`vite build --mode
 * test-hooks`, into dist-test/) makes these; the production build has none of it.
 */
export class TestRoomSession extends RoomSession {
  /** A tampered client that does not leave when the records remove it or end the room. */
  stayWhenRemoved = false;

  protected override shutOut(reason: 'ended' | 'removed'): void {
    if (!this.stayWhenRemoved) super.shutOut(reason);
  }

  /** Peer connections open or being made. */
  meshLinkCount(): number {
    return this.mesh?.linkCount() ?? 0;
  }

  /** The media key's epoch (-1: not started). */
  get mediaKeyEpoch(): number {
    return this.keyring?.current.epoch ?? -1;
  }

  /** The connection to the relay node, while it carries our media. */
  relayConnection(): RTCPeerConnection | null {
    return this.switch.connectedRelay()?.connection ?? null;
  }

  /** Frames decoded from a peer (camera, and screen in a mesh) and the widest frame now arriving. */
  async inboundVideo(peerId: string): Promise<{ frames: number; widthPx: number }> {
    const relayed = this.switch.connectedRelay()?.videoReceiverOf(peerId);
    return inboundVideo(relayed ? await relayed.getStats() : await this.connection(peerId)?.getStats());
  }

  /** What a modified client could do with its own key. */
  async tamperTools(): Promise<{ identity: SigningIdentity; signal: MeshSession['signal'] }> {
    return { identity: (await this.identities).self, signal: (peerId, msg) => this.mesh?.signal(peerId, msg) };
  }
}

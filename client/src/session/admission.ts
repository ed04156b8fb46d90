import { acceptableRecords, exclusionOf, recordsAbout, type Exclusion } from '../../../crdt/room/control-records';
import type { SigningIdentity } from '../../../crdt/identity/host-identity';
import { keyMatchesPeerId, signDescription, verifyDescription } from '../../../crdt/identity/participant-identity';
import type { RoomControls } from '../../../crdt/room/room-controls';

/**
 * Who may connect to whom, decided by every peer from the signed records in its own room
 * document (design.md, principle 3). The mesh asks it before linking to a peer and again
 * whenever the records change.
 */
export interface PeerGate {
  readonly selfKey: string;
  /** Records sent with our announce: what lets us in. */
  proof(): unknown[];
  /** Checks that `key` is `peerId`'s, keeps any valid records it offers, then decides. */
  check(peerId: string, key: string, proof: unknown[]): Promise<Exclusion | 'invalid' | null>;
  /** The decision for a key already checked, from the records as they are now. */
  exclusion(key: string): Exclusion | null;
  /** Records that show `key` why it was refused. */
  recordsFor(key: string): unknown[];
  signDescription(to: string, sdp: string): Promise<string>;
  verifyDescription(from: string, key: string, sig: string, sdp: string): Promise<boolean>;
}

export class Admission implements PeerGate {
  readonly selfKey: string;

  constructor(
    private readonly roomId: string,
    private readonly selfId: string,
    private readonly identity: SigningIdentity,
    private readonly controls: RoomControls,
  ) {
    this.selfKey = identity.publicKey;
  }

  proof(): unknown[] {
    return recordsAbout(this.controls.values(), this.selfKey);
  }

  async check(peerId: string, key: string, proof: unknown[]): Promise<Exclusion | 'invalid' | null> {
    if (!(await keyMatchesPeerId(key, peerId))) return 'invalid';
    await this.keep(proof);
    return this.exclusion(key);
  }

  exclusion(key: string): Exclusion | null {
    return exclusionOf(this.controls.state, key);
  }

  recordsFor(key: string): unknown[] {
    return recordsAbout(this.controls.values(), key);
  }

  /** Folds in the valid, authorized records among `offered`. */
  async keep(offered: unknown): Promise<void> {
    const accepted = await acceptableRecords(this.roomId, this.controls.values(), offered);
    if (accepted.length > 0) await this.controls.keep(accepted);
  }

  signDescription(to: string, sdp: string): Promise<string> {
    return signDescription(this.identity, this.roomId, this.selfId, to, sdp);
  }

  async verifyDescription(from: string, key: string, sig: string, sdp: string): Promise<boolean> {
    return (
      (await keyMatchesPeerId(key, from)) &&
      (await verifyDescription(key, sig, { roomId: this.roomId, from, to: this.selfId, sdp }))
    );
  }
}

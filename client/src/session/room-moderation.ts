import { createSignal, type Accessor } from 'solid-js';
import { mayModerate, recordsAbout, type ControlKind, type RoomControlState } from '../../../crdt/room/control-records';
import type { SigningIdentity } from '../../../crdt/identity/host-identity';
import { keyMatchesPeerId } from '../../../crdt/identity/participant-identity';
import type { RoomControls } from '../../../crdt/room/room-controls';
import { clamp, MAX_NAME_CHARS } from '../../../crdt/room/room-schema';
import type { MeshSession } from '../mesh/mesh-session';

/** Someone outside a locked room asking to come in. */
export interface Knock {
  peerId: string;
  key: string;
  name: string;
  at: number;
}

interface ModerationOptions {
  roomId: string;
  controls: RoomControls;
  controlState: Accessor<RoomControlState>;
  identities: Promise<{ self: SigningIdentity; host: SigningIdentity | null }>;
  mesh(): MeshSession | null;
  /** Peer ids of everyone in the call now (over peer links or through a relay). */
  present(): string[];
  /** This peer removed `peerId` (the record is in the document). */
  onRemoved?(peerId: string): void;
}

const MAX_KNOCKS = 50;

export type Role = 'host' | 'cohost' | 'guest';

/** What the records say the holder of participant key `key` is (guest when unknown). */
export function roleOfKey(state: RoomControlState, key: string | undefined): Role {
  if (!key) return 'guest';
  if (state.hostSessions.has(key)) return 'host';
  return state.cohosts.has(key) ? 'cohost' : 'guest';
}

/**
 * What the host and co-hosts do in "Your room": lock, admit or deny knocks, remove, grant
 * co-host, approve joined relays or take the approval back, end the room. Each action is a signed record in the room document; every peer
 * folds and enforces it (crdt/room/control-records.ts). The host signs with the host key, a
 * co-host with its own participant key (which the host's co-host record names).
 */
export class Moderation {
  /** Knocks not yet answered (here or by another host or co-host). */
  readonly knocks: Accessor<Knock[]>;
  private readonly setKnocks: (k: Knock[]) => void;
  private readonly allKnocks: Accessor<Knock[]>;

  constructor(private readonly opts: ModerationOptions) {
    const [knocks, setKnocks] = createSignal<Knock[]>([]);
    this.allKnocks = knocks;
    this.knocks = () => {
      const state = opts.controlState();
      return knocks().filter((k) => !state.admitted.has(k.key) && !state.denied.has(k.key) && !state.removed.has(k.key));
    };
    this.setKnocks = setKnocks;
  }

  /** This device holds the host key: record its participant key as the host's. */
  async claimHostSession(): Promise<void> {
    const { self, host } = await this.opts.identities;
    if (!host || this.opts.controls.state.hostSessions.has(self.publicKey)) return;
    await this.opts.controls.issue(host, [{ kind: 'host-session', target: self.publicKey }]);
  }

  async lock(): Promise<void> {
    const mesh = this.opts.mesh();
    // Everyone already in stays in: the lock and their admissions land in one update.
    const present = this.opts.present().map((id) => mesh?.keyOf(id)).filter((k): k is string => !!k);
    await this.sign([{ kind: 'lock' }, ...present.map((target) => ({ kind: 'admit' as const, target }))]);
  }

  unlock(): Promise<void> {
    return this.sign([{ kind: 'unlock' }]);
  }

  async remove(peerId: string): Promise<void> {
    await this.signAbout(peerId, 'remove');
    this.opts.onRemoved?.(peerId);
  }

  makeCohost(peerId: string): Promise<void> {
    return this.signAbout(peerId, 'cohost');
  }

  revokeCohost(peerId: string): Promise<void> {
    return this.signAbout(peerId, 'revoke-cohost');
  }

  /** Lets a joined relay (crdt/protocol/relay-presence.ts relayIdFor) carry the room while it is not open to every link holder. */
  approveRelay(relayId: string): Promise<void> {
    return this.sign([{ kind: 'approve-relay', target: relayId }]);
  }

  /** Takes an approval back: pages move off that relay at their next decision unless the room is open. */
  revokeRelay(relayId: string): Promise<void> {
    return this.sign([{ kind: 'revoke-relay', target: relayId }]);
  }

  endRoom(): Promise<void> {
    return this.sign([{ kind: 'end' }]);
  }

  async admit(knock: Knock): Promise<void> {
    await this.decide(knock, 'admit');
  }

  async deny(knock: Knock): Promise<void> {
    await this.decide(knock, 'deny');
  }

  /** A knock counts only for those who can answer it, from a key that is really its sender's. */
  async onKnock(peerId: string, key: string, name: string): Promise<void> {
    const { self } = await this.opts.identities;
    const state = this.opts.controls.state;
    if (!mayModerate(state, self.publicKey) || !state.locked || state.admitted.has(key) || state.removed.has(key)) return;
    if (!(await keyMatchesPeerId(key, peerId))) return;
    const others = this.allKnocks().filter((k) => k.key !== key);
    if (others.length >= MAX_KNOCKS) return;
    this.setKnocks([...others, { peerId, key, name: clamp(name.trim(), MAX_NAME_CHARS) || 'Someone', at: Date.now() }]);
  }

  /** A knocker who left takes its knock with it. */
  forget(peerId: string): void {
    this.setKnocks(this.allKnocks().filter((k) => k.peerId !== peerId));
  }

  private async decide(knock: Knock, kind: 'admit' | 'deny'): Promise<void> {
    this.setKnocks(this.allKnocks().filter((k) => k.key !== knock.key));
    await this.sign([{ kind, target: knock.key }]);
    // The knocker has no room document yet: send it the records it needs to check this.
    const records = recordsAbout(this.opts.controls.values(), knock.key);
    this.opts.mesh()?.signal(knock.peerId, { kind: 'decision', records });
  }

  private async signAbout(peerId: string, kind: ControlKind): Promise<void> {
    const target = this.opts.mesh()?.keyOf(peerId);
    if (target) await this.sign([{ kind, target }]);
  }

  /** Signs with the host key if this device has it, else with our key if we are a co-host. */
  private async sign(records: { kind: ControlKind; target?: string }[]): Promise<void> {
    const { self, host } = await this.opts.identities;
    const signer = host ?? (this.opts.controls.state.cohosts.has(self.publicKey) ? self : null);
    if (!signer) throw new Error('only the host or a co-host can do that');
    await this.opts.controls.issue(signer, records);
  }
}

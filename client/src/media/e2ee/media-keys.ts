import { exclusionOf, type RoomControlState } from '../../../../crdt/room/control-records';
import type { SigningIdentity } from '../../../../crdt/identity/host-identity';
import { peerIdForKey } from '../../../../crdt/identity/participant-identity';
import { boxFor, draftEpoch, finishEpoch, openEpoch, type EpochDraft } from './epoch-boxes';
import { encodeKeyMessage, heldNotice, keyMessageSigned, newKeyPackage, readKeyMessage, type KeyPackage, type KeyPackageSecret } from './media-key-message';
import { committerRank, MediaKeyring, type Epoch } from './media-keyring';

/**
 * Joins, leaves and removals that land together make one epoch: after a commit, the next waits
 * this long. The first change after a quiet spell commits at once (a join waits for nothing).
 */
export const COMMIT_DEBOUNCE_MS = 40;

export interface MediaKeysOptions {
  room: string;
  identity: SigningIdentity;
  selfId: string;
  /** Our key package, if made ahead (else made now). */
  keyPackage?: Promise<KeyPackageSecret>;
  controls(): RoomControlState;
  /** Peers here and shown now (linked or on the relay, with a participant entry): who may hold the next epoch. */
  visiblePeers(): string[];
  /** A key message to one peer, or (null) to everyone reachable. */
  send(to: string | null, bytes: Uint8Array): void;
  install(e: Epoch): void;
  sendUnder(epoch: number): void;
  setTimer?(fn: () => void, ms: number): void;
}

/**
 * Membership-bound media keys (PROTOCOL.md, "Media keys"): every member hands its key package
 * to whoever it meets; the acting committer (the host, else a co-host, else, in a room open to
 * anyone with the link, the member with the smallest key) makes a new epoch whenever the set
 * of visible, admitted members it sees changes or the room is locked or unlocked, and seals
 * the epoch secret to each member's package. Nobody else ever holds it: not the link holder,
 * not the knocker, not the removed person, not the relay.
 */
export class MediaKeys {
  readonly keyring: MediaKeyring;
  private own: KeyPackageSecret | null = null;
  private readonly ready: Promise<void>;
  private readonly packages = new Map<string, KeyPackage>();
  private lockedAtEpoch = false;
  private scheduled = false;
  private committing = false;
  /** performance.now() of our last commit. */
  private committedAt = -Infinity;
  /** Our next epoch, drafted ahead (prepare()); used once. */
  private draft: { epoch: number; draft: Promise<EpochDraft> } | null = null;
  /**
   * The last epoch we committed, as sent, and the key package (ECDH key) each member's copy was
   * sealed to: a member who greets us again with that package (a new link) gets it again; one
   * with a new package (a reloaded page: same participant key, new ECDH key) gets a new epoch.
   */
  private lastCommit: { epoch: number; bytes: Uint8Array; sealedTo: Map<string, string> } | null = null;
  private readonly setTimer: (fn: () => void, ms: number) => void;

  constructor(private readonly opts: MediaKeysOptions) {
    this.setTimer = opts.setTimer ?? ((fn, ms) => void setTimeout(fn, ms));
    this.keyring = new MediaKeyring({ install: (e) => opts.install(e), send: (epoch) => opts.sendUnder(epoch), setTimer: opts.setTimer });
    this.ready = (opts.keyPackage ?? newKeyPackage(opts.room, opts.identity)).then((own) => {
      this.own = own;
      this.prepare();
    });
  }

  /** Who holds the current epoch (peer ids), as its committer signed it. */
  holders(): string[] {
    return this.keyring.current?.members ?? [];
  }

  /** Our key package, encoded (it rides in our announce too). */
  async ownPackage(): Promise<Uint8Array> {
    await this.ready;
    return encodeKeyMessage(this.own!.pkg);
  }

  /** A peer we can now reach: it gets our key package. */
  async greet(peerId: string | null): Promise<void> {
    await this.ready;
    this.opts.send(peerId, encodeKeyMessage(this.own!.pkg));
  }

  /** A key message from a peer link or a relay room channel (any sender: each message proves itself). */
  async receive(bytes: Uint8Array): Promise<void> {
    const m = readKeyMessage(bytes, this.opts.room);
    if (!m) return;
    await this.ready;
    // An epoch that could count is opened while its signature is checked (both are trips through
    // WebCrypto on a page busy joining); what it opens is used only if the signature holds.
    const rank = m.t === 'epoch' ? committerRank(this.opts.controls(), m.by) : null;
    if (m.t === 'epoch' && (rank === null || !this.keyring.supersedes({ epoch: m.epoch, by: m.by, rank }))) return;
    const opening = m.t === 'epoch' ? Promise.all([openEpoch(m, this.opts.selfId, this.own!), peerIdForKey(m.by)]) : null;
    if (!(await keyMessageSigned(m))) return;
    if (m.t === 'package') {
      const id = await peerIdForKey(m.key);
      if (id === this.opts.selfId) return;
      if (this.lastCommit && this.keyring.current?.epoch === this.lastCommit.epoch && this.lastCommit.sealedTo.get(id) === m.ecdh) {
        this.opts.send(id, this.lastCommit.bytes);
      }
      if (this.packages.get(id)?.ecdh === m.ecdh) return;
      this.packages.set(id, m);
      this.prepare();
      return this.changed();
    }
    if (m.t === 'held') return this.keyring.held(m.epoch, m.by, await peerIdForKey(m.key));
    const [secret, committerId] = await opening!;
    if (!secret || !this.keyring.offer({ epoch: m.epoch, secret, members: m.members, by: m.by, rank: rank! }, [this.opts.selfId, committerId])) return;
    this.adopted();
    this.opts.send(null, encodeKeyMessage(await heldNotice(this.opts.identity, this.opts.room, m.epoch, m.by)));
  }

  /** Membership, the participant list or the records changed: the committer may owe a new epoch. */
  changed(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const commit = () => {
      this.scheduled = false;
      void this.commitIfOwed();
    };
    // After a quiet spell, at the end of this task (a timer would wait behind a busy page's other tasks).
    if (performance.now() - this.committedAt >= COMMIT_DEBOUNCE_MS) queueMicrotask(commit);
    else this.setTimer(commit, COMMIT_DEBOUNCE_MS);
  }

  /** Those a new epoch would go to now (self first), each with a package and let in by the records. */
  private wanted(state: RoomControlState): Map<string, KeyPackage> {
    const out = new Map<string, KeyPackage>([[this.opts.selfId, this.own!.pkg]]);
    for (const id of this.opts.visiblePeers()) {
      const pkg = this.packages.get(id);
      if (pkg && exclusionOf(state, pkg.key) === null) out.set(id, pkg);
    }
    return out;
  }

  /** We commit when no one present outranks us (lower rank, then smaller key). */
  private acting(state: RoomControlState, wanted: Map<string, KeyPackage>): boolean {
    const selfKey = this.opts.identity.publicKey;
    const mine = committerRank(state, selfKey);
    if (mine === null) return false;
    for (const [id, pkg] of wanted) {
      if (id === this.opts.selfId) continue;
      const theirs = committerRank(state, pkg.key);
      if (theirs !== null && (theirs < mine || (theirs === mine && pkg.key < selfKey))) return false;
    }
    return true;
  }

  private async commitIfOwed(): Promise<void> {
    if (this.committing || !this.own) return;
    const state = this.opts.controls();
    const wanted = this.wanted(state);
    if (wanted.size < 2 || !this.acting(state, wanted)) return;
    const cur = this.keyring.current;
    const members = [...wanted.keys()].sort();
    if (cur && cur.members.join() === members.join() && this.lockedAtEpoch === state.locked && !this.packageChanged(cur.epoch, wanted)) return;
    this.committing = true;
    try {
      const epoch = cur ? cur.epoch + 1 : 0;
      const draft = await this.draftFor(epoch);
      this.draft = null; // a secret goes into one epoch message only
      const m = await finishEpoch(this.opts.identity, draft, wanted);
      const { secret } = draft;
      const rank = committerRank(state, this.opts.identity.publicKey)!;
      if (this.keyring.offer({ epoch, secret, members: m.members, by: m.by, rank }, [this.opts.selfId])) {
        this.adopted();
        this.lastCommit = { epoch, bytes: encodeKeyMessage(m), sealedTo: new Map([...wanted].map(([id, pkg]) => [id, pkg.ecdh])) };
        this.opts.send(null, this.lastCommit.bytes);
      }
    } finally {
      this.committing = false;
    }
    this.prepare();
    this.changed();
  }

  /** Our next epoch, drafted ahead with a box for every package we know (epoch-boxes.ts). */
  private prepare(): void {
    if (!this.own) return;
    const next = (this.keyring.current?.epoch ?? -1) + 1;
    const draft = this.draftFor(next);
    const packages = [[this.opts.selfId, this.own.pkg] as const, ...this.packages];
    void draft.then((d) => packages.forEach(([id, pkg]) => void boxFor(d, id, pkg).catch(() => {})));
  }

  private draftFor(epoch: number): Promise<EpochDraft> {
    if (this.draft?.epoch !== epoch) this.draft = { epoch, draft: draftEpoch(this.opts.room, epoch) };
    return this.draft.draft;
  }

  /** A member of our current epoch now holds another key package than the one we sealed it to. */
  private packageChanged(epoch: number, wanted: Map<string, KeyPackage>): boolean {
    if (this.lastCommit?.epoch !== epoch) return false;
    const sealedTo = this.lastCommit.sealedTo;
    return [...wanted].some(([id, pkg]) => id !== this.opts.selfId && sealedTo.get(id) !== pkg.ecdh);
  }

  private adopted(): void {
    const e = this.keyring.current!;
    this.prepare();
    console.info(`[confab] media epoch ${e.epoch}: ${e.members.length} members, committed by a ${['host', 'co-host', 'member'][e.rank]}`);
    this.lockedAtEpoch = this.opts.controls().locked;
    this.changed();
  }
}

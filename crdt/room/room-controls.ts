import { emptyControlState, foldControls, recordRef, signControl, type ControlKind, type ControlRecord, type RoomControlState } from './control-records';
import type { SigningIdentity } from '../identity/host-identity';
import type { RoomDoc } from './room-doc';

const MAX_LOCAL_RECORDS = 500;
/** Records remembered per room (as the relay's room guard keeps): a host would have to sign thousands. */
export const MAX_KEPT_RECORDS = 2_000;

/** Where a page keeps the records it has seen, so a reload still has them (localStorage in the client). */
export interface ControlLogStore {
  load(): unknown[];
  save(records: readonly ControlRecord[]): void;
}
/** Rejected records are logged once each, up to this many: a flooding member must not flood the console. */
const MAX_LOGGED_REJECTIONS = 10;

/**
 * The room's control state, kept folded from the records in a RoomDoc. Folding verifies
 * signatures, so it is async; folds run one at a time and the latest wins. Rejected records
 * are logged once each (by signature), never thrown.
 */
export class RoomControls {
  private current: RoomControlState = emptyControlState();
  private appliedRecords: ControlRecord[] = [];
  private seq = 1;
  private folding: Promise<void> = Promise.resolve();
  /** A fold queued behind the running one: every change until it starts rides on it. */
  private queued: Promise<void> | null = null;
  private readonly listeners = new Set<(state: RoomControlState) => void>();
  private readonly logged = new Set<unknown>();
  /** Genuine records learnt outside the document (with a signal): folded, never synced. */
  private local: unknown[] = [];
  /**
   * The append-only log: every record from the document that a fold applied, by signature.
   * A Yjs delete removes a record from the array, not from here: it is folded still and put
   * back into the document, so a member deleting the host's lock changes nothing.
   */
  private readonly kept = new Map<string, ControlRecord>();
  /** What this page kept before a reload (the store), folded until a fold has applied it. */
  private readonly stored: unknown[];
  private readonly storedSigs: Set<unknown>;
  private readonly stopWatching: () => void;

  constructor(
    readonly roomId: string,
    private readonly room: RoomDoc,
    private readonly store?: ControlLogStore,
  ) {
    // Stored records are folded like any others: nothing unverified gets in this way.
    this.stored = store?.load().slice(-MAX_KEPT_RECORDS) ?? [];
    this.storedSigs = new Set(this.stored.map((v) => (v as { sig?: unknown } | null)?.sig));
    this.stopWatching = room.onControlsChange(() => void this.refold());
    void this.refold();
  }

  get state(): RoomControlState {
    return this.current;
  }

  /** The raw records, as folded: the document's and the ones kept locally. */
  values(): unknown[] {
    const inDoc = this.room.controlValues();
    const sigs = new Set(inDoc.map((v) => (v as { sig?: unknown } | null)?.sig));
    const extra = [...this.kept.values(), ...this.stored].filter((r) => {
      const sig = (r as { sig?: unknown } | null)?.sig;
      return !sigs.has(sig) && sigs.add(sig);
    });
    return [...inDoc, ...extra, ...this.local];
  }

  /** The records the latest fold applied (genuine and authorized), in order: what the state rests on. */
  applied(): readonly ControlRecord[] {
    return this.appliedRecords;
  }

  /**
   * Folds in records that arrived in a signal (an announce's proof, a refusal, a host's
   * decision). They stay out of the shared document: whoever signed them has them there
   * already, and a second copy would only grow everyone's document.
   */
  async keep(records: unknown[]): Promise<void> {
    this.local = [...this.local, ...records].slice(-MAX_LOCAL_RECORDS);
    await this.refold();
  }

  /** Resolves once every change seen so far is folded. */
  settled(): Promise<void> {
    return this.folding;
  }

  onChange(cb: (state: RoomControlState) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  /** Signs records with the next sequence numbers and adds them to the doc in one go. */
  async issue(identity: SigningIdentity, records: { kind: ControlKind; target?: string }[]): Promise<ControlRecord[]> {
    await this.folding;
    const signed = await Promise.all(
      records.map(async (r, i) =>
        signControl(identity, {
          room: this.roomId,
          kind: r.kind,
          seq: this.seq + i,
          ...(r.target ? { target: r.target } : {}),
          ...(r.target && (r.kind === 'revoke-cohost' || r.kind === 'remove') && this.current.cohosts.has(r.target) ? { keep: await this.standingRefs(r.target) } : {}),
        }),
      ),
    );
    this.room.addControls(signed);
    await this.refold();
    return signed;
  }

  /** What a revocation of `key` lets stand: the records by it that we have applied. */
  private standingRefs(key: string): Promise<string[]> {
    return Promise.all(this.appliedRecords.filter((r) => r.by === key).map(recordRef));
  }

  destroy(): void {
    this.stopWatching();
    this.listeners.clear();
  }

  private refold(): Promise<void> {
    if (this.queued) return this.queued;
    const run = async () => {
      this.queued = null;
      const inDoc = this.room.controlValues();
      const { state, rejected, nextSeq, applied } = await foldControls(this.roomId, this.values());
      this.logRejections(rejected);
      this.current = state;
      this.appliedRecords = applied;
      this.seq = nextSeq;
      this.keepAndRestore(inDoc, applied);
      for (const cb of this.listeners) cb(state);
    };
    // A throwing listener must not stop every later fold.
    this.queued = this.folding = this.folding.then(run).catch((err: unknown) => console.warn('[confab] folding control records failed:', err));
    return this.folding;
  }

  /** Remembers what the fold applied from the document, and puts back what someone deleted from it. */
  private keepAndRestore(inDoc: unknown[], applied: readonly ControlRecord[]): void {
    const docSigs = new Set(inDoc.map((v) => (v as { sig?: unknown } | null)?.sig));
    let grew = false;
    for (const r of applied) {
      if (this.kept.has(r.sig) || this.kept.size >= MAX_KEPT_RECORDS) continue;
      // From a signal (local) and never in the document: not ours to publish.
      if (!docSigs.has(r.sig) && !this.isStored(r)) continue;
      this.kept.set(r.sig, r);
      grew = true;
    }
    const missing = [...this.kept.values()].filter((r) => !docSigs.has(r.sig));
    if (missing.length > 0) this.room.addControls(missing);
    if (grew) this.store?.save([...this.kept.values()]);
  }

  private isStored(r: ControlRecord): boolean {
    return this.storedSigs.has(r.sig);
  }

  private logRejections(rejected: { value: unknown; reason: string }[]): void {
    for (const { value, reason } of rejected) {
      if (reason === 'duplicate' || this.logged.size > MAX_LOGGED_REJECTIONS) continue;
      const id = (value as { sig?: unknown } | null)?.sig ?? value;
      if (this.logged.has(id)) continue;
      this.logged.add(id);
      if (this.logged.size > MAX_LOGGED_REJECTIONS) console.warn('[confab] ignoring more control records (not logged)');
      else console.warn(`[confab] ignoring a control record (${reason})`, value);
    }
  }
}

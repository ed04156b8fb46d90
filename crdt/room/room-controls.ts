import { emptyControlState, foldControls, signControl, type ControlKind, type ControlRecord, type RoomControlState } from './control-records';
import type { SigningIdentity } from '../identity/host-identity';
import type { RoomDoc } from './room-doc';

const MAX_LOCAL_RECORDS = 500;
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
  private readonly stopWatching: () => void;

  constructor(
    readonly roomId: string,
    private readonly room: RoomDoc,
  ) {
    this.stopWatching = room.onControlsChange(() => void this.refold());
    void this.refold();
  }

  get state(): RoomControlState {
    return this.current;
  }

  /** The raw records, as folded: the document's and the ones kept locally. */
  values(): unknown[] {
    return [...this.room.controlValues(), ...this.local];
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
      records.map((r, i) => signControl(identity, { room: this.roomId, kind: r.kind, seq: this.seq + i, ...(r.target ? { target: r.target } : {}) })),
    );
    this.room.addControls(signed);
    await this.refold();
    return signed;
  }

  destroy(): void {
    this.stopWatching();
    this.listeners.clear();
  }

  private refold(): Promise<void> {
    if (this.queued) return this.queued;
    const run = async () => {
      this.queued = null;
      const { state, rejected, nextSeq, applied } = await foldControls(this.roomId, this.values());
      this.logRejections(rejected);
      this.current = state;
      this.appliedRecords = applied;
      this.seq = nextSeq;
      for (const cb of this.listeners) cb(state);
    };
    // A throwing listener must not stop every later fold.
    this.queued = this.folding = this.folding.then(run).catch((err: unknown) => console.warn('[confab] folding control records failed:', err));
    return this.folding;
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

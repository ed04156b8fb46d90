import { emptyControlState, exclusionOf, foldControls, parseControl, recordsAbout, type ControlRecord, type Exclusion, type RoomControlState } from '../../crdt/room/control-records';
import { roomTopicFor } from '../../crdt/identity/room-topic';

/** Genuine records kept per room; past this, new ones are turned away (a host would have to sign thousands). */
export const MAX_RECORDS_PER_ROOM = 2_000;
/** Room ids hashed per offer while the room's own is not known yet, and foreign ones remembered. */
const MAX_ROOM_ID_GUESSES = 16;
const MAX_WRONG_ROOM_IDS = 1_000;

export interface OfferResult {
  accepted: number;
  /** Offered records that claimed the host's or a co-host's authority but whose signature failed. */
  forged: number;
}

/**
 * The relay's view of one room's control records (design.md, principle 3): participants
 * send the records they hold; those that verify (crdt/room/control-records.ts, the same fold every
 * peer runs) are kept and folded, and everyone whose key the state now keeps out is dropped.
 * The relay learns the room id from the records themselves: a record's `room` must hash to
 * the room's signaling topic, and its host key must hash to that room id (the fold checks that).
 */
export class RoomGuard {
  state: RoomControlState = emptyControlState();
  private roomId: string | null = null;
  private records: ControlRecord[] = [];
  private readonly sigs = new Set<string>();
  private readonly wrongRoomIds = new Set<string>();
  /** Offers fold one at a time, in arrival order. */
  private work: Promise<unknown> = Promise.resolve();

  constructor(
    readonly topic: string,
    /** Called after each change of the folded state. */
    private readonly onChange: (state: RoomControlState) => void,
  ) {}

  /** Why `key` may not be here, or null. */
  exclusion(key: string): Exclusion | null {
    return exclusionOf(this.state, key);
  }

  /** The records that show `key` a decision about it. */
  recordsFor(key: string): ControlRecord[] {
    return recordsAbout(this.records, key);
  }

  get size(): number {
    return this.records.length;
  }

  /** Verifies and keeps the genuine records among `values`; anything else is ignored, never thrown. */
  offer(values: readonly unknown[]): Promise<OfferResult> {
    const run = this.work.then(() => this.fold(values));
    this.work = run.catch(() => undefined);
    return run;
  }

  private async fold(values: readonly unknown[]): Promise<OfferResult> {
    const fresh = new Map<string, ControlRecord>();
    const guesses = { left: MAX_ROOM_ID_GUESSES };
    for (const value of values) {
      const record = parseControl(value);
      if (!record || this.sigs.has(record.sig) || fresh.has(record.sig)) continue;
      if (!(await this.isOurRoom(record.room, guesses))) continue;
      fresh.set(record.sig, record);
    }
    if (fresh.size === 0 || this.roomId === null) return { accepted: 0, forged: 0 };
    const candidates = [...fresh.values()];
    const { state, rejected } = await foldControls(this.roomId, [...this.records, ...candidates]);
    const bad = new Map(rejected.map(({ value, reason }) => [(value as { sig?: unknown } | null)?.sig, reason]));
    const forged = candidates.filter((r) => bad.get(r.sig) === 'bad signature').length;
    const accepted = candidates.filter((r) => !bad.has(r.sig)).slice(0, MAX_RECORDS_PER_ROOM - this.records.length);
    if (accepted.length === 0) return { accepted: 0, forged };
    for (const r of accepted) this.sigs.add(r.sig);
    this.records = [...this.records, ...accepted];
    // Every candidate that counted was accepted unless the room is full: then fold what is kept.
    this.state = accepted.length === candidates.length - bad.size ? state : (await foldControls(this.roomId, this.records)).state;
    this.onChange(this.state);
    return { accepted: accepted.length, forged };
  }

  private async isOurRoom(roomId: string, guesses: { left: number }): Promise<boolean> {
    if (this.roomId !== null) return roomId === this.roomId;
    if (this.wrongRoomIds.has(roomId) || guesses.left-- <= 0) return false;
    if ((await roomTopicFor(roomId)) === this.topic) {
      this.roomId = roomId;
      return true;
    }
    if (this.wrongRoomIds.size >= MAX_WRONG_ROOM_IDS) this.wrongRoomIds.clear();
    this.wrongRoomIds.add(roomId);
    return false;
  }
}

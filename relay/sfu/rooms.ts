import { Room, type RoomOptions } from './room';
import { RoomGuard } from './room-guard';
import type { ForwardingStats } from './stats';

/**
 * A room's records outlive its last session for a while, so a removed participant who comes
 * back to an empty relay room is still refused; at most this many idle rooms are kept.
 */
export const IDLE_GUARD_RETENTION_MS = 10 * 60_000;
export const MAX_IDLE_GUARDS = 256;

/** What a room's guard needs of a control session: a way to re-check it when the records change. */
export interface GuardedSession {
  enforce(): void;
}

/**
 * The relay node's rooms by key (the room's signaling topic and its gate, control.ts): the
 * forwarding core of each (while someone is connected) and its guard, the folded control
 * records (while any control session said hello in it).
 */
export class RelayRooms {
  readonly media = new Map<string, Room>();
  /** Sessions refused at hello or connect, or dropped later by a record. */
  sessionsRefused = 0;
  private readonly guards = new Map<string, { guard: RoomGuard; sessions: Set<GuardedSession> }>();
  /** Guards of rooms nobody is in, by topic, oldest first, with when they emptied. */
  private readonly idle = new Map<string, number>();

  constructor(
    private readonly stats: ForwardingStats,
    private readonly roomOptions: RoomOptions = {},
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A session said hello in room `key` (signaling topic `topic`): its guard (new if the room was empty). */
  enter(key: string, topic: string, session: GuardedSession): RoomGuard {
    this.pruneIdle();
    this.idle.delete(key);
    let entry = this.guards.get(key);
    if (!entry) {
      const sessions = new Set<GuardedSession>();
      const guard = new RoomGuard(topic, () => {
        for (const s of [...sessions]) s.enforce();
      });
      this.guards.set(key, (entry = { guard, sessions }));
    }
    entry.sessions.add(session);
    return entry.guard;
  }

  /** After the last session the records are kept a while (IDLE_GUARD_RETENTION_MS), then forgotten. */
  exit(key: string, session: GuardedSession): void {
    const entry = this.guards.get(key);
    if (!entry?.sessions.delete(session) || entry.sessions.size > 0) return;
    this.idle.set(key, this.now());
    this.pruneIdle();
  }

  private pruneIdle(): void {
    const now = this.now();
    for (const [key, since] of this.idle) {
      if (now - since < IDLE_GUARD_RETENTION_MS && this.idle.size <= MAX_IDLE_GUARDS) break;
      this.idle.delete(key);
      this.guards.delete(key);
    }
  }

  mediaRoom(key: string): Room {
    let room = this.media.get(key);
    if (!room) this.media.set(key, (room = new Room(this.stats, this.roomOptions)));
    return room;
  }

  releaseMedia(key: string, room: Room): void {
    if (room.participants.size === 0 && this.media.get(key) === room) this.media.delete(key);
  }

  get guardCount(): number {
    return this.guards.size;
  }
}

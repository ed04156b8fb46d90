import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { refusalOf } from './update-guard';
import { TokenBucket, wallClockMs } from '../protocol/token-bucket';

export interface SyncChannel {
  send(bytes: Uint8Array): void;
}

/** A channel that reaches a whole room at once (a relay node's star): `send` broadcasts, `sendTo` reaches one peer. */
export interface SyncHub extends SyncChannel {
  sendTo(peer: string, bytes: Uint8Array): void;
}

/** Framing as y-websocket: a varUint message type first, so awareness (1) can be added later. */
const MESSAGE_SYNC = 0;
/** A full chat history (1,000 × 2,000 characters, up to 3 bytes each) fits with room to spare. */
export const MAX_SYNC_MESSAGE_BYTES = 8_000_000;
/**
 * Yjs keeps updates that wait on structs it lacks, re-merges them with every update that waits
 * too, and sends them along in every sync step 2. Between honest peers they fill in within a
 * round trip; a peer sending ever more of them would cost us quadratic time and memory.
 */
export const MAX_PENDING_BYTES = 64 * 1024;

/**
 * Sync step 1 asks for everything the asker lacks, which may be the whole document. Peers ask
 * when a channel opens and after a resync; answering a flood of them would make us send the
 * document again and again. A small burst, then one per interval.
 */
const STEP1_BURST = 4;
/** A document this small is sent along with our step 1 when a channel opens (a newcomer's is ~1 kB). */
export const UNASKED_DOCUMENT_BYTES = 16 * 1024;
const STEP1_EVERY_MS = 5_000;

/**
 * The write budget of one peer (a channel, or a peer behind a hub): what it may add beyond the
 * answers to our own sync step 1. A flood past it is dropped (and, if honest after all, comes
 * back with the next resync, whose answer is not charged).
 */
export const WRITE_BURST_BYTES = 1_000_000;
export const WRITE_BYTES_PER_S = 128_000;

/** Sync step 1 answers a channel (or a peer behind a hub) may still get, and its write budget. */
interface Step1Budget {
  step1: TokenBucket;
  write: TokenBucket;
  /** Our sync step 1 messages it has not answered yet: each lets one step 2 in uncharged. */
  unanswered: number;
}

interface Link extends Step1Budget {
  channel: SyncChannel;
  /** Transaction origin for updates from this channel: an object, so no caller can collide. */
  origin: object;
  warned: boolean;
  hub?: HubState;
}

interface HubState {
  hub: SyncHub;
  /** Whom to ask for what we lack (a few peers, not the whole room). */
  askable(): string[];
  /** Per peer behind the hub, its own step-1 budget. */
  budgets: Map<string, Step1Budget>;
  /** Peers we asked (sync step 1); a peer that asks us first is asked back once. */
  asked: Set<string>;
  /** Peers that asked us first: what they send in answer to our asking back is new to the room. */
  askedBack: Set<string>;
  /** Origin of such news: re-broadcast to the hub, unlike what came from the hub's broadcast. */
  newsOrigin: object;
}

/**
 * Syncs one Y.Doc with y-protocols over any number of channels. Updates (local or from one
 * channel) are re-broadcast to every other channel, so a partial mesh still converges; Yjs
 * emits no update for content it already has, so cycles in the graph terminate.
 */
export class DocSync {
  private readonly links = new Map<string, Link>();

  private readonly onUpdate = (update: Uint8Array, origin: unknown): void => {
    const bytes = frame((e) => syncProtocol.writeUpdate(e, update));
    for (const [id, link] of this.links) if (link.origin !== origin) this.send(id, link, bytes);
  };

  constructor(private readonly doc: Y.Doc) {
    doc.on('update', this.onUpdate);
  }

  /**
   * Sends sync step 1 at once; the peer answers with step 2 (what we lack). A small document
   * goes along unasked, so the peer sees us (our participant entry) without waiting for its
   * own step 1 to be answered: a round trip through a page that is busy joining.
   */
  addChannel(id: string, channel: SyncChannel): void {
    const link: Link = { channel, origin: { channel: id }, warned: false, ...freshBudget() };
    this.links.set(id, link);
    asked(link);
    this.send(id, link, frame((e) => syncProtocol.writeSyncStep1(e, this.doc)));
    const whole = Y.encodeStateAsUpdate(this.doc);
    if (whole.length <= UNASKED_DOCUMENT_BYTES) this.send(id, link, frame((e) => syncProtocol.writeUpdate(e, whole)));
  }

  /**
   * A relay's star (PROTOCOL.md, "Room state through the relay"): updates are broadcast once;
   * sync step 1 goes to the few peers `askable` names, and answers go to the asker alone, so a
   * newcomer costs the room a couple of step-2 messages, not one per person.
   */
  addHub(id: string, hub: SyncHub, askable: () => string[]): void {
    const state: HubState = { hub, askable, budgets: new Map(), asked: new Set(), askedBack: new Set(), newsOrigin: { hub: id, news: true } };
    this.links.set(id, { channel: hub, origin: { hub: id }, warned: false, ...freshBudget(), hub: state });
    this.askThroughHub(id);
  }

  /** Asks the hub's askable peers that we have not asked yet (say, once the first ones appear). */
  askThroughHub(id: string): void {
    const link = this.links.get(id);
    if (!link?.hub) return;
    const step1 = frame((e) => syncProtocol.writeSyncStep1(e, this.doc));
    for (const peer of link.hub.askable()) {
      if (link.hub.asked.has(peer)) continue;
      link.hub.asked.add(peer);
      asked(this.peerBudget(link.hub, peer));
      this.sendVia(id, link, () => link.hub!.hub.sendTo(peer, step1));
    }
  }

  /** Forgets peers no longer behind the hub: one that comes back (a reload) is asked afresh. */
  pruneHub(id: string, present: ReadonlySet<string>): void {
    const state = this.links.get(id)?.hub;
    if (!state) return;
    for (const set of [state.asked, state.askedBack, state.budgets]) for (const peer of set.keys()) if (!present.has(peer)) set.delete(peer);
  }

  /**
   * One sync message from `from` through hub `id`; `direct`: sent to us alone. Returns false
   * when dropped (as `receive`).
   */
  receiveFromHub(id: string, from: string, bytes: Uint8Array, direct: boolean): boolean {
    const link = this.links.get(id);
    const state = link?.hub;
    if (!link || !state) return false;
    const budget = this.peerBudget(state, from);
    return this.handle(id, link, bytes, {
      budget,
      reply: (reply) => {
        state.hub.sendTo(from, reply);
        if (state.asked.has(from)) return;
        state.asked.add(from);
        state.askedBack.add(from);
        asked(budget);
        state.hub.sendTo(from, frame((e) => syncProtocol.writeSyncStep1(e, this.doc)));
      },
      origin: direct && state.askedBack.has(from) ? state.newsOrigin : link.origin,
    });
  }

  private peerBudget(state: HubState, peer: string): Step1Budget {
    let budget = state.budgets.get(peer);
    if (!budget) state.budgets.set(peer, (budget = freshBudget()));
    return budget;
  }

  removeChannel(id: string): void {
    this.links.delete(id);
  }

  /**
   * Handles one sync message from channel `id`. Returns false if it was dropped: unknown
   * channel, oversized, not a sync message, or malformed (logged once per channel).
   */
  receive(id: string, bytes: Uint8Array): boolean {
    const link = this.links.get(id);
    if (!link || link.hub) return false;
    return this.handle(id, link, bytes, { budget: link, reply: (reply) => this.send(id, link, reply), origin: link.origin });
  }

  private handle(id: string, link: Link, bytes: Uint8Array, via: { budget: Step1Budget; reply(bytes: Uint8Array): void; origin: object }): boolean {
    if (bytes.length === 0 || bytes.length > MAX_SYNC_MESSAGE_BYTES) return false;
    try {
      const decoder = decoding.createDecoder(bytes);
      if (decoding.readVarUint(decoder) !== MESSAGE_SYNC) return false;
      // Not syncProtocol.readSyncMessage: it catches applyUpdate errors itself and logs
      // every one with console.error, so a hostile peer could flood the console.
      const kind = decoding.readVarUint(decoder);
      switch (kind) {
        case syncProtocol.messageYjsSyncStep1: {
          const stateVector = decoding.readVarUint8Array(decoder);
          if (!via.budget.step1.take()) {
            this.warnOnce(id, link, 'too many sync requests; answering one per interval', null);
            return false;
          }
          const reply = frame((e) => syncProtocol.writeSyncStep2(e, this.doc, stateVector));
          this.sendVia(id, link, () => via.reply(reply));
          return true;
        }
        case syncProtocol.messageYjsSyncStep2:
        case syncProtocol.messageYjsUpdate: {
          const update = decoding.readVarUint8Array(decoder);
          const answer = kind === syncProtocol.messageYjsSyncStep2 && via.budget.unanswered > 0;
          if (answer) via.budget.unanswered--;
          else if (!via.budget.write.take(bytes.length)) {
            this.warnOnce(id, link, 'over its write budget; dropping what it sends until the budget refills', null);
            return false;
          }
          const refusal = refusalOf(this.doc, update);
          if (refusal) {
            this.warnOnce(id, link, `refusing an update outside the room's schema (${refusal})`, null);
            return false;
          }
          // A throwing onChange/observer callback also lands in the catch below.
          Y.applyUpdate(this.doc, update, via.origin);
          this.boundPending(id, link);
          return true;
        }
        default:
          return false;
      }
    } catch (err) {
      this.warnOnce(id, link, 'dropping malformed sync message', err);
      return false;
    }
  }

  /** Drops what waits beyond the bound and asks every peer again for what we lack. */
  private boundPending(id: string, link: Link): void {
    const store = this.doc.store;
    if ((store.pendingStructs?.update.length ?? 0) + (store.pendingDs?.length ?? 0) <= MAX_PENDING_BYTES) return;
    store.pendingStructs = null;
    store.pendingDs = null;
    this.warnOnce(id, link, 'too many updates waiting on missing data; dropped them and resyncing', null);
    const step1 = frame((e) => syncProtocol.writeSyncStep1(e, this.doc));
    for (const [otherId, other] of this.links) {
      if (!other.hub) {
        asked(other);
        this.send(otherId, other, step1);
      }
      else {
        other.hub.asked.clear();
        this.askThroughHub(otherId);
      }
    }
  }

  destroy(): void {
    this.doc.off('update', this.onUpdate);
    this.links.clear();
  }

  /** A closed data channel throws on send; that must not break local edits or other peers. */
  private send(id: string, link: Link, bytes: Uint8Array): void {
    this.sendVia(id, link, () => link.channel.send(bytes));
  }

  private sendVia(id: string, link: Link, send: () => void): void {
    try {
      send();
    } catch (err) {
      this.warnOnce(id, link, 'send failed', err);
    }
  }

  private warnOnce(id: string, link: Link, what: string, err: unknown): void {
    if (link.warned) return;
    link.warned = true;
    console.warn(`[confab] sync channel ${id}: ${what} (further problems on it are not logged)`, err);
  }
}

function freshBudget(): Step1Budget {
  return {
    step1: new TokenBucket(STEP1_BURST, 1_000 / STEP1_EVERY_MS, wallClockMs),
    write: new TokenBucket(WRITE_BURST_BYTES, WRITE_BYTES_PER_S, wallClockMs),
    unanswered: 0,
  };
}

/** At most a few answers wait uncharged: asking again and again must not open the budget wide. */
const MAX_UNANSWERED = 4;

function asked(budget: Step1Budget): void {
  budget.unanswered = Math.min(MAX_UNANSWERED, budget.unanswered + 1);
}


function frame(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  write(encoder);
  return encoding.toUint8Array(encoder);
}

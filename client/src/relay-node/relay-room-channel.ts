import { MAX_SYNC_MESSAGE_BYTES } from '../../../crdt/room/doc-sync';
import { BEAT_EVERY_MS, decodeRoomFrame, decodeRoomMessage, encodeRoomFrame, encodeRoomMessage, RoomMessageKind, SEALED_MESSAGE_TAG } from '../../../crdt/protocol/room-message-frame';
import type { RoomKeys } from '../../../crdt/identity/room-keys';
import { frameMessage, Reassembler } from '../../../crdt/protocol/channel-framing';

export type MessageSealer = Pick<RoomKeys, 'sealMessage' | 'openMessage'>;

export interface RelayRoomHandlers {
  /** Who is reachable through the relay changed (`members` oldest first); `added` came just now. */
  peers(channel: RelayRoomChannel, members: readonly string[], added: string | null): void;
  /** A message from `from`; `direct`: sent to us alone (else to the whole room). */
  message(channel: RelayRoomChannel, from: string, tag: number, bytes: Uint8Array, direct: boolean): void;
  opened(channel: RelayRoomChannel): void;
  closed(channel: RelayRoomChannel): void;
}

/** Sealed bytes of one message, its ids and a little framing: at most the largest sync message. */
const MAX_SEALED_BYTES = MAX_SYNC_MESSAGE_BYTES + 1024;
/** A relay that has sent heartbeats and then none for this long is gone (frozen, or off the network). */
const SILENT_AFTER_MS = 3 * BEAT_EVERY_MS;
let channels = 0;

/**
 * Room state through a relay node (PROTOCOL.md, "Room state through the relay"): a data channel
 * on the relay connection, on which each message is sealed with the room's message key and cut
 * into pieces the relay forwards to the room or to one peer. Inside the seal the message names
 * its sender and recipient, so the relay can neither re-address nor re-attribute it.
 */
export class RelayRoomChannel {
  /** Unique per channel: a later link to the same relay is another channel. */
  readonly id = `relay-room-${++channels}`;
  private readonly members: string[] = [];
  private readonly reassemblers = new Map<string, Reassembler>();
  private outbound: Promise<void> = Promise.resolve();
  private inbound: Promise<void> = Promise.resolve();
  private warned = false;
  private isClosed = false;
  private lastHeardMs = 0;
  private watchdog: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly dc: RTCDataChannel,
    private readonly selfId: string,
    private readonly sealer: MessageSealer,
    private readonly handlers: RelayRoomHandlers,
    /** The room server's own relay (its operator never sees the link), not one someone joined to the room (relay-room-state.ts). */
    readonly trusted: boolean,
    /** The relay's heartbeats stopped: Chromium would call the connection `disconnected` seconds later, `failed` much later. */
    private readonly onSilent: () => void = () => {},
  ) {
    dc.binaryType = 'arraybuffer';
    dc.onopen = () => {
      console.info('[confab] relay room channel: open');
      handlers.opened(this);
    };
    dc.onclose = () => this.close();
    dc.onmessage = ({ data }) => {
      if (data instanceof ArrayBuffer) this.receive(new Uint8Array(data));
    };
  }

  /** Reachable through the relay now, oldest first. */
  peers(): readonly string[] {
    return this.members;
  }

  broadcast(tag: number, bytes: Uint8Array): void {
    this.send('', tag, bytes);
  }

  sendTo(peer: string, tag: number, bytes: Uint8Array): void {
    this.send(peer, tag, bytes);
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    clearInterval(this.watchdog);
    this.dc.close();
    this.handlers.closed(this);
  }

  /** Messages leave in the order they were sent, whatever sealing costs. */
  private send(to: string, tag: number, bytes: Uint8Array): void {
    const sealed = this.sealer.sealMessage(encodeRoomMessage(this.selfId, to, tag, bytes));
    this.outbound = this.outbound
      .then(async () => {
        const blob = await sealed;
        if (this.dc.readyState !== 'open') return;
        const kind = to ? RoomMessageKind.Direct : RoomMessageKind.Broadcast;
        for (const piece of frameMessage(SEALED_MESSAGE_TAG, blob)) this.dc.send(encodeRoomFrame(kind, to, piece) as Uint8Array<ArrayBuffer>);
      })
      .catch((err: unknown) => this.warnOnce('send failed', err));
  }

  private receive(frame: Uint8Array): void {
    const f = decodeRoomFrame(frame);
    this.lastHeardMs = performance.now();
    if (f?.kind === RoomMessageKind.Beat) return this.watch();
    if (!f || !f.peer) return this.warnOnce('malformed frame from the relay', null);
    if (f.kind === RoomMessageKind.Presence) return this.presence(f.peer, f.piece[0] === 1);
    let reassembler = this.reassemblers.get(f.peer);
    if (!reassembler) this.reassemblers.set(f.peer, (reassembler = new Reassembler(MAX_SEALED_BYTES)));
    const whole = reassembler.push(f.piece);
    if (!whole) return;
    const from = f.peer;
    const direct = f.kind === RoomMessageKind.Direct;
    const opened = this.sealer.openMessage(whole.bytes);
    // Applied strictly in arrival order, though opening is asynchronous.
    this.inbound = this.inbound.then(async () => {
      const m = decodeRoomMessage(await opened);
      if (!m || m.from !== from || m.to !== (direct ? this.selfId : '')) return this.warnOnce(`a message from ${from} that does not open or is misaddressed`, null);
      if (!this.isClosed) this.handlers.message(this, from, m.tag, m.bytes, direct);
    });
  }

  /** From the first heartbeat on, a relay that stops sending them counts as gone. */
  private watch(): void {
    this.watchdog ??= setInterval(() => {
      if (performance.now() - this.lastHeardMs <= SILENT_AFTER_MS) return;
      clearInterval(this.watchdog);
      console.warn(`[confab] relay room channel: no heartbeat for ${SILENT_AFTER_MS} ms`);
      this.onSilent();
    }, BEAT_EVERY_MS / 2);
  }

  private presence(peer: string, joined: boolean): void {
    const at = this.members.indexOf(peer);
    if (at >= 0) this.members.splice(at, 1);
    if (joined) this.members.push(peer);
    else this.reassemblers.delete(peer);
    this.handlers.peers(this, this.members, joined ? peer : null);
  }

  private warnOnce(what: string, err: unknown): void {
    if (this.warned) return;
    this.warned = true;
    console.warn(`[confab] relay room channel: ${what} (further problems are not logged)`, err);
  }
}

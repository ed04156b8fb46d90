import WebSocket from 'ws';
import { Bot, type BotIdentity } from './bot';
import type { Recording } from './recording';

/**
 * One synthetic participant as a real one uses the servers: a signaling socket subscribed to
 * the room topic and its own topic (it says hello on the room topic), and a Bot on the relay
 * node. Leaving closes both, as a closed tab does.
 */
export class RoomMember {
  readonly bot: Bot;
  private signal: WebSocket | undefined;

  constructor(
    private readonly o: { signalUrl: string; controlUrl: string; identity: BotIdentity; room: string; index: number; recording: Recording; videoSlots: number; audioSlots: number; audioLevel: number; random: () => number; roomChannel?: boolean },
  ) {
    this.bot = new Bot({ ...o });
  }

  /** The bot's index: its packets carry it (one byte) as their origin. */
  get index(): number {
    return this.o.index;
  }

  get id(): string {
    return this.bot.id;
  }

  async join(): Promise<void> {
    const ws = (this.signal = new WebSocket(this.o.signalUrl));
    ws.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.send(JSON.stringify({ type: 'subscribe', topics: [this.o.room, `${this.o.room}/${this.id}`] }));
    ws.send(JSON.stringify({ type: 'publish', topic: this.o.room, data: `hello from ${this.id}` }));
    await this.bot.start();
  }

  leave(): void {
    this.bot.close();
    this.signal?.close();
  }
}

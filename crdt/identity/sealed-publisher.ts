import type { SignalEnvelope } from '../protocol/wire';
import type { RoomKeys } from './room-keys';

/** Peer topics kept hashed (a relay node answers every newcomer; a page knows a room's few). */
const MAX_CACHED_TOPICS = 1_000;

/**
 * How every signal leaves (a page's mesh, a joined relay node's presence): sealed with the
 * room key, a broadcast on the room topic, a signal to one peer on that peer's own topic.
 * Signals to one peer are published in the order they were handed over, however long each
 * took to sign or seal; `publish` is the signaling socket's.
 */
export class SealedPublisher<R> {
  private readonly peerTopics = new Map<string, Promise<string>>();
  private readonly outbound = new Map<string, Promise<unknown>>();

  constructor(
    private readonly keys: RoomKeys,
    private readonly publish: (topic: string, sealed: string) => R | Promise<R>,
  ) {}

  /** The peer's own topic (hashed once per peer). */
  topicOf(peerId: string): Promise<string> {
    let topic = this.peerTopics.get(peerId);
    if (!topic) {
      if (this.peerTopics.size >= MAX_CACHED_TOPICS) this.peerTopics.clear();
      topic = this.keys.peerTopic(peerId);
      this.peerTopics.set(peerId, topic);
    }
    return topic;
  }

  async broadcast(envelope: SignalEnvelope | Promise<SignalEnvelope>): Promise<R> {
    return this.publish(this.keys.roomTopic, await this.keys.seal(await envelope));
  }

  /** Signed and sealed at once, published after everything handed over before for `peerId`. */
  sendTo(peerId: string, envelope: SignalEnvelope | Promise<SignalEnvelope>): Promise<R> {
    const ready = Promise.all([this.topicOf(peerId), Promise.resolve(envelope).then((e) => this.keys.seal(e))]);
    const sent = (this.outbound.get(peerId) ?? Promise.resolve()).then(async () => {
      const [topic, sealed] = await ready;
      return this.publish(topic, sealed);
    });
    const tail = sent.catch(() => undefined);
    this.outbound.set(peerId, tail);
    void tail.then(() => {
      if (this.outbound.get(peerId) === tail) this.outbound.delete(peerId);
    });
    return sent;
  }
}

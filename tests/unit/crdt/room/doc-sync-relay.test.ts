import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { join, peer, state, type Peer } from '../../../support/doc-peer';

beforeEach(() => {
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  vi.spyOn(console, 'error').mockImplementation(() => {});
});
afterEach(() => vi.restoreAllMocks());

/** A relay's star in memory: every member's hub reaches the others, asynchronously and in order. */
class Star {
  readonly members = new Map<string, Peer>();
  /** Messages each member sent: broadcasts, and direct ones by recipient. */
  readonly sent = new Map<string, { broadcasts: number; direct: string[] }>();
  private inFlight = 0;

  add(p: Peer, ask = 2): void {
    const counts = { broadcasts: 0, direct: [] as string[] };
    this.sent.set(p.id, counts);
    this.members.set(p.id, p);
    p.sync.addHub(
      'relay',
      {
        send: (bytes) => {
          counts.broadcasts++;
          for (const other of this.members.values()) if (other !== p) this.deliver(other, p, bytes, false);
        },
        sendTo: (peer, bytes) => {
          counts.direct.push(peer);
          const other = this.members.get(peer);
          if (other) this.deliver(other, p, bytes, true);
        },
      },
      // Oldest first, as the relay lists publishers.
      () => [...this.members.keys()].filter((id) => id !== p.id).slice(0, ask),
    );
  }

  async quiesce(): Promise<void> {
    do await new Promise((r) => setTimeout(r, 0));
    while (this.inFlight > 0);
  }

  private deliver(to: Peer, from: Peer, bytes: Uint8Array, direct: boolean): void {
    this.inFlight++;
    const copy = bytes.slice();
    setTimeout(() => {
      this.inFlight--;
      to.sync.receiveFromHub('relay', from.id, copy, direct);
    }, 0);
  }
}

describe('DocSync through a relay star', () => {
  it('a newcomer asks two peers, not the room, and gets everything', async () => {
    const star = new Star();
    const people = ['a', 'b', 'c', 'd', 'e', 'f'].map(peer);
    for (const p of people) {
      star.add(p);
      join(p);
      await star.quiesce();
    }
    for (let i = 0; i < 20; i++) people[i % people.length]!.room.sendChat(people[i % people.length]!.id, `message ${i}`);
    await star.quiesce();
    const newcomer = peer('z');
    star.add(newcomer);
    await star.quiesce();
    expect(state(newcomer)).toBe(state(people[0]!));
    // Answers (step 2) to the newcomer came from the two it asked, and nobody else.
    const answeredBy = people.filter((p) => star.sent.get(p.id)!.direct.includes('z')).map((p) => p.id);
    expect(answeredBy).toEqual(['a', 'b']);
    expect(newcomer.room.chat()).toHaveLength(20);
  });

  it('an edit is broadcast once by its author and never echoed by the others', async () => {
    const star = new Star();
    const people = ['a', 'b', 'c', 'd'].map(peer);
    for (const p of people) star.add(p);
    await star.quiesce();
    const before = people.map((p) => star.sent.get(p.id)!.broadcasts);
    people[2]!.room.sendChat('c', 'hello');
    await star.quiesce();
    const after = people.map((p) => star.sent.get(p.id)!.broadcasts);
    expect(after.map((n, i) => n - before[i]!)).toEqual([0, 0, 1, 0]);
    for (const p of people) expect(p.room.chat().map((m) => m.text)).toEqual(['hello']);
  });

  it("what a newcomer wrote offline reaches the whole room, not only the peers it asked", async () => {
    const star = new Star();
    const people = ['a', 'b', 'c', 'd'].map(peer);
    for (const p of people) star.add(p);
    await star.quiesce();
    const newcomer = peer('z');
    join(newcomer, 'Zed');
    newcomer.room.sendChat('z', 'written before the relay was reached');
    star.add(newcomer);
    await star.quiesce();
    for (const p of people) {
      expect(p.room.chat().map((m) => m.text)).toEqual(['written before the relay was reached']);
      expect(p.room.participants().map((x) => x.name)).toEqual(['Zed']);
    }
  });

  it('a peer that left and came back (a reload) is asked again after pruning', async () => {
    const star = new Star();
    const [a, b] = ['a', 'b'].map(peer);
    star.add(a!);
    star.add(b!);
    await star.quiesce();
    a!.sync.pruneHub('relay', new Set());
    const directBefore = star.sent.get('a')!.direct.length;
    a!.sync.askThroughHub('relay');
    await star.quiesce();
    expect(star.sent.get('a')!.direct.length).toBe(directBefore + 1);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBots, startRelayNode, type RelayNode, type RoomOfBots } from './harness';
import { loadRecording } from './recording';
import { originOf } from './verifier';
import { sleep } from '../support/wait';

/**
 * `--public-ip`: a relay node behind a 1:1 NAT must be reachable at the address it is told,
 * not only at the one it is bound to. Here the relay listens on every address and advertises
 * 127.0.0.2 as public; only candidates at that address survive in offers and answers, as
 * across a NAT where neither side can reach the other's private addresses.
 */
const PUBLIC_IP = '127.0.0.2';

describe('a relay node advertising a public address', () => {
  let relay: RelayNode;
  let room: RoomOfBots;
  const answers: string[] = [];

  beforeAll(async () => {
    relay = await startRelayNode({ args: ['--host', '0.0.0.0', '--public-ip', PUBLIC_IP] });
    room = await startBots(relay, loadRecording(), 2, {
      videoSlots: 1,
      audioSlots: 1,
      audioLevel: () => 20,
      keepCandidate: (line) => {
        if (line.includes(` ${PUBLIC_IP} `)) answers.push(line);
        return line.includes(` ${PUBLIC_IP} `);
      },
    });
    room.bots[1]!.subscribe(0, room.bots[0]!.id, 'low');
    await sleep(3_000);
  }, 60_000);

  afterAll(async () => {
    room?.stop();
    await relay?.stop();
  });

  it('offers its host candidates again at the public address', () => {
    expect(answers.length).toBeGreaterThan(0);
    for (const c of answers) expect(c).toMatch(/ typ host/);
  });

  it('carries media to peers that reach it only there', () => {
    const slot = room.bots[1]!.video[0]!;
    expect(slot.packets).toBeGreaterThan(20);
    expect([...slot.originPackets.keys()]).toEqual([originOf(0, 1)]);
  });
});

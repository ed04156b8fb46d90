import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newParticipant } from '../support/browser';
import { useRelayAndBrowser } from '../support/e2e-harness';
import { testClientDir } from '../support/relay-process';
import { createRoom, joinRoom, peerIds, waitUntil } from '../support/room-actions';

/** The built client (its test build, dist-test/) from any static host, with the signaling relay somewhere else, named in the link. */
describe('the built client on a plain static file server', () => {
  const h = useRelayAndBrowser();
  let staticServer: ChildProcess;
  let staticUrl = '';

  beforeAll(async () => {
    // Python's http.server: about as plain as a static host gets, and no part of Confab.
    staticServer = spawn('python3', ['-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', testClientDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    staticUrl = await new Promise<string>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`static server did not start: ${output}`)), 10_000);
      staticServer.stdout!.on('data', (d: Buffer) => {
        output += d.toString();
        const port = /port (\d+)/.exec(output)?.[1];
        if (port) {
          clearTimeout(timer);
          resolve(`http://127.0.0.1:${port}/`);
        }
      });
    });
  });
  afterAll(() => {
    staticServer?.kill();
  });

  it('a room created there uses the relay named in the link, and a second browser joins by it', async () => {
    const relayWs = h.relay.url.replace('http', 'ws') + 'signal';
    const alice = (await newParticipant(h.browser)).page;
    const link = await createRoom(alice, `${staticUrl}#relay=${encodeURIComponent(relayWs)}`);
    expect(link.startsWith(staticUrl)).toBe(true);
    expect(link).toContain(`&relay=${encodeURIComponent(relayWs)}`);
    const bob = (await newParticipant(h.browser)).page;
    await joinRoom(alice, 'Alice');
    await joinRoom(bob, 'Bob', link);
    await waitUntil(async () => (await peerIds(bob)).length === 1, 20_000, 'call through a relay on another origin');
    await bob.getByRole('figure', { name: 'Alice' }).waitFor({ timeout: 5_000 });
    expect(await bob.getByRole('figure', { name: 'Alice' }).count()).toBe(1);
  });
});

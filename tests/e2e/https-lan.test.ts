import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newParticipant } from '../support/browser';
import { useRelayAndBrowser } from '../support/e2e-harness';
import { createRoom, expectVideoFlowing, joinRoom, peerIds, waitUntil } from '../support/room-actions';

/** On a LAN the relay serves HTTPS with its own certificate; a call works through it. */
describe('a call over HTTPS with the self-signed certificate', () => {
  const h = useRelayAndBrowser(['--https', '--data-dir', mkdtempSync(join(tmpdir(), 'confab-data-'))]);

  it('two browsers that accepted the certificate join and see each other', async () => {
    expect(h.relay.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    await waitUntil(async () => h.relay.output().includes('fingerprint'), 2_000, 'the fingerprint line');
    expect(h.relay.output()).toMatch(/SHA-256 fingerprint is\n\s+([0-9A-F]{2}:){31}[0-9A-F]{2}/);
    // The browser told to accept it, as a person does once on the warning page.
    const alice = (await newParticipant(h.browser, { acceptSelfSignedCertificate: true })).page;
    const bob = (await newParticipant(h.browser, { acceptSelfSignedCertificate: true })).page;
    const link = await createRoom(alice, h.relay.url);
    expect(link.startsWith('https://')).toBe(true);
    await joinRoom(alice, 'Alice');
    await joinRoom(bob, 'Bob', link);
    await waitUntil(async () => (await peerIds(bob)).length === 1, 20_000, 'call over https');
    const [aliceId] = await peerIds(bob);
    await expectVideoFlowing(bob, aliceId!);
    expect(await bob.evaluate(() => window.isSecureContext)).toBe(true);
  });

  it('a browser that did not accept it gets no page (nothing silently downgraded)', async () => {
    const { page } = await newParticipant(h.browser);
    await expect(page.goto(h.relay.url)).rejects.toThrow(/ERR_CERT/);
  });
});

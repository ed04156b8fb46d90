import { describe, expect, it } from 'vitest';
import { newParticipant } from '../support/browser';
import { useRelayAndBrowser } from '../support/e2e-harness';
import { createRoom, joinRoom, peerIds, sendChat, waitUntil } from '../support/room-actions';

/** What people hit when things are not ideal: bad links, no camera, a remembered name. */
describe('joining when things are not ideal', () => {
  const h = useRelayAndBrowser();

  it('a malformed link shows "This link is not valid" with a Create room button that works', async () => {
    const { page } = await newParticipant(h.browser);
    await page.goto(`${h.relay.url}#abc.def`);
    await page.getByRole('heading', { name: 'This link is not valid' }).waitFor();
    await page.getByRole('button', { name: 'Create room' }).click();
    expect(await page.getByLabel('Invite link').inputValue()).toMatch(/#[\w-]{22}\.[\w-]{22}$/);
    await page.context().close();
  });

  it('with the camera and microphone refused, a person still joins listen-only, told why', async () => {
    const host = (await newParticipant(h.browser)).page;
    const link = await createRoom(host, h.relay.url);
    await joinRoom(host, 'Host');

    const { context, page } = await newParticipant(h.browser);
    // The browser says no, as it does when a person clicks "Block" on the permission prompt.
    await context.addInitScript(() => {
      navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('denied', 'NotAllowedError'));
    });
    await page.goto(link);
    const notice = page.getByRole('alert');
    await notice.waitFor();
    expect(await notice.textContent()).toBe(
      'Your browser blocked the microphone and camera: allow them from the address bar to be seen and heard. You can still join to listen and chat.',
    );
    await joinRoom(page, 'Listener');
    await waitUntil(async () => (await peerIds(page)).length === 1, 20_000, 'listener connected to host');
    await waitUntil(async () => (await peerIds(host)).length === 1, 20_000, 'host sees listener');
    // The host's tile for the listener shows initials and a muted mic, never a blank box.
    const tile = host.getByRole('figure', { name: 'Listener' });
    await tile.getByRole('img', { name: 'Microphone off' }).waitFor();
    expect(await tile.locator('.avatar').textContent()).toBe('L');
    // And chat works both ways.
    await sendChat(page, 'I can only listen today');
    await sendChat(host, 'No problem');
    await host.getByText('I can only listen today').waitFor();
    await page.getByText('No problem').waitFor();
    await context.close();
    await host.context().close();
  });

  it('the name typed once is remembered on the next join screen', async () => {
    const { context, page } = await newParticipant(h.browser);
    const link = await createRoom(page, h.relay.url);
    await joinRoom(page, 'Remembered Rita');
    await page.getByRole('button', { name: 'Leave' }).click();
    await page.getByRole('button', { name: 'Rejoin' }).click();
    expect(await page.getByLabel('Your name').inputValue()).toBe('Remembered Rita');
    await page.goto('about:blank');
    await page.goto(link);
    expect(await page.getByLabel('Your name').inputValue()).toBe('Remembered Rita');
    await context.close();
  });
});

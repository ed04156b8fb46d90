import { describe, expect, it } from 'vitest';
import { newParticipant } from '../support/browser';
import { useRelayAndBrowser } from '../support/e2e-harness';
import { expectVideoFlowing, peerIds, twoPersonCall } from '../support/room-actions';

/**
 * Picture-in-picture from More: a floating window (Document Picture-in-Picture in Chromium)
 * with the other person's video playing, closed again by the same button.
 */
describe('picture-in-picture', () => {
  const h = useRelayAndBrowser();

  it.each([
    ['Document Picture-in-Picture', false],
    ['a video element’s picture-in-picture (no Document PiP, as in Safari and Firefox)', true],
  ])('floats the other person’s video, playing, and the toggle closes it: %s', async (_, withoutDocumentPip) => {
    const { alice, bob } = await twoPersonCall(async () => {
      const { context, page } = await newParticipant(h.browser);
      if (withoutDocumentPip) await context.addInitScript(() => delete (window as { documentPictureInPicture?: unknown }).documentPictureInPicture);
      return page;
    }, h.relay.url);
    const [bobId] = await peerIds(alice);
    await expectVideoFlowing(alice, bobId!);
    const bobTrack = await alice.evaluate((id) => {
      const video = document.querySelector<HTMLVideoElement>(`[data-peer-id="${id}"] video`);
      return (video?.srcObject as MediaStream | null)?.getVideoTracks()[0]?.id ?? null;
    }, bobId!);
    await alice.getByRole('button', { name: 'More' }).click();
    const item = alice.getByRole('button', { name: 'Picture-in-picture' });
    expect(await item.getAttribute('aria-pressed')).toBe('false');
    await item.click();
    const floating = await alice.waitForFunction(() => {
      const pipWindow = (window as { documentPictureInPicture?: { window: Window | null } }).documentPictureInPicture?.window;
      const video = pipWindow?.document.querySelector('video') ?? (document.pictureInPictureElement as HTMLVideoElement | null);
      if (!video || video.videoWidth === 0) return null;
      return {
        kind: pipWindow ? 'document' : 'video',
        track: (video.srcObject as MediaStream | null)?.getVideoTracks()[0]?.id ?? null,
        width: video.videoWidth,
        label: pipWindow?.document.body.innerText ?? '',
      };
    }, undefined, { timeout: 15_000 });
    const shown = (await floating.jsonValue())!;
    console.log(`[measure] picture-in-picture: ${JSON.stringify(shown)}`);
    expect(shown.track).toBe(bobTrack);
    expect(shown.kind).toBe(withoutDocumentPip ? 'video' : 'document');
    if (shown.kind === 'document') expect(shown.label).toContain('Bob');

    await alice.getByRole('button', { name: 'More' }).click();
    await alice.getByRole('button', { name: 'Picture-in-picture' }).click();
    await alice.waitForFunction(() => !(window as { documentPictureInPicture?: { window: Window | null } }).documentPictureInPicture?.window && !document.pictureInPictureElement);
    await alice.getByRole('button', { name: 'More' }).click();
    expect(await alice.getByRole('button', { name: 'Picture-in-picture' }).getAttribute('aria-pressed')).toBe('false');
    void bob;
  });
});

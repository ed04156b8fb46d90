import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { newParticipant } from '../support/browser';
import { useRelayAndBrowser } from '../support/e2e-harness';
import { expectVideoFlowing, peerIds, twoPersonCall } from '../support/room-actions';

const RECORD_MS = 10_000;

/**
 * Local recording: Start recording in More saves the call (mixed audio + the stage as drawn)
 * to a WebM download, and every page shows the recorder's Recording mark meanwhile.
 */
describe('local recording', () => {
  const h = useRelayAndBrowser();

  it('10 s of recording yields a WebM with audio and video of about 10 s; the other page shows the Recording mark', async () => {
    const { alice, bob } = await twoPersonCall(async () => (await newParticipant(h.browser)).page, h.relay.url);
    const [bobId] = await peerIds(alice);
    await expectVideoFlowing(alice, bobId!);
    const aliceOnBob = bob.getByRole('figure', { name: 'Alice', exact: true });
    expect(await aliceOnBob.getByText('Recording', { exact: true }).count()).toBe(0);

    await alice.getByRole('button', { name: 'More' }).click();
    await alice.getByRole('button', { name: 'Start recording' }).click();
    const startedAt = Date.now();
    await aliceOnBob.getByText('Recording', { exact: true }).waitFor({ timeout: 10_000 });
    // …and in Bob's Your room list.
    await bob.getByRole('button', { name: 'Your room' }).click();
    const aliceRow = bob.getByRole('list', { name: 'Participants' }).getByRole('listitem').filter({ hasText: 'Alice' });
    await aliceRow.getByText('Recording', { exact: true }).waitFor({ timeout: 5_000 });
    console.log(`[measure] Recording mark on the other page after ${Date.now() - startedAt} ms`);

    await alice.waitForTimeout(Math.max(0, RECORD_MS - (Date.now() - startedAt)));
    const download = alice.waitForEvent('download');
    await alice.locator('.recording-bar').getByRole('button', { name: 'Stop recording' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^confab-\d{4}-\d{2}-\d{2}-\d{4}\.webm$/);
    const bytes = await readFile((await file.path())!);
    await aliceOnBob.getByText('Recording', { exact: true }).waitFor({ state: 'detached', timeout: 10_000 });
    expect(await aliceRow.getByText('Recording', { exact: true }).count()).toBe(0);

    // Load it back: a <video> for the picture and its length, WebAudio for the sound.
    const probe = await alice.evaluate(async (b64) => {
      const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const url = URL.createObjectURL(new Blob([data], { type: 'video/webm' }));
      const video = document.createElement('video');
      video.muted = true;
      video.src = url;
      await new Promise((r, j) => {
        video.onloadedmetadata = r;
        video.onerror = () => j(new Error('the file does not load'));
      });
      // MediaRecorder writes no duration: seeking past the end makes the element find it.
      if (!Number.isFinite(video.duration)) {
        video.currentTime = 1e6;
        await new Promise((r) => (video.ondurationchange = () => Number.isFinite(video.duration) && r(null)));
      }
      const audio = await new AudioContext().decodeAudioData(data.buffer.slice(0));
      const samples = audio.getChannelData(0);
      let peak = 0;
      for (const s of samples) peak = Math.max(peak, Math.abs(s));
      return { width: video.videoWidth, height: video.videoHeight, videoSeconds: video.duration, audioSeconds: audio.duration, audioPeak: peak, bytes: data.length };
    }, bytes.toString('base64'));
    console.log(`[measure] recording: ${JSON.stringify(probe)}`);
    expect(probe.width).toBe(1280);
    expect(probe.height).toBe(720);
    expect(probe.videoSeconds).toBeGreaterThan(8.5);
    expect(probe.videoSeconds).toBeLessThan(13);
    expect(probe.audioSeconds).toBeGreaterThan(8.5);
    // The fake microphones beep: the mix is not silence.
    expect(probe.audioPeak).toBeGreaterThan(0.01);
  });
});

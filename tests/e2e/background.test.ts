import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { newParticipant } from '../support/browser';
import { useRelayAndBrowser } from '../support/e2e-harness';
import { expectVideoFlowing, peerIds, twoPersonCall, waitUntil } from '../support/room-actions';

interface FrameLook {
  /** Variance of a 4-neighbour Laplacian of the grey image: how much fine detail a frame has. */
  sharpness: number;
  /** Share of pixels of the beach image's sky and sea blues. */
  blue: number;
  /** Share of pixels of the office image's warm greys and browns (the fake camera is green). */
  warm: number;
}

/** Frames grabbed from the tile's <video> at Bob's (what the receiver decoded), the mean of a few. */
async function look(page: Page, name: string): Promise<FrameLook> {
  return page.getByRole('figure', { name, exact: true }).locator('video').evaluate(async (video: HTMLVideoElement) => {
    const w = 320;
    const h = 240;
    const canvas = Object.assign(document.createElement('canvas'), { width: w, height: h });
    const g = canvas.getContext('2d', { willReadFrequently: true })!;
    const out = { sharpness: 0, blue: 0, warm: 0 };
    const frames = 5;
    for (let f = 0; f < frames; f++) {
      g.drawImage(video, 0, 0, w, h);
      const { data } = g.getImageData(0, 0, w, h);
      const grey = new Float32Array(w * h);
      let blue = 0;
      let warm = 0;
      for (let i = 0; i < w * h; i++) {
        const [r, gg, b] = [data[i * 4]!, data[i * 4 + 1]!, data[i * 4 + 2]!];
        grey[i] = 0.299 * r + 0.587 * gg + 0.114 * b;
        if (b > r + 50 && b > 120) blue++;
        if (r >= gg && r > b + 12) warm++;
      }
      let sum = 0;
      let sq = 0;
      let n = 0;
      for (let y = 1; y < h - 1; y++) {
        for (let x = 1; x < w - 1; x++) {
          const i = y * w + x;
          const lap = grey[i - 1]! + grey[i + 1]! + grey[i - w]! + grey[i + w]! - 4 * grey[i]!;
          sum += lap;
          sq += lap * lap;
          n++;
        }
      }
      out.sharpness += (sq / n - (sum / n) ** 2) / frames;
      out.blue += blue / (w * h) / frames;
      out.warm += warm / (w * h) / frames;
      await new Promise((r) => setTimeout(r, 200));
    }
    return out;
  });
}

const fmt = (l: FrameLook) => `sharpness ${l.sharpness.toFixed(1)}, blue ${(l.blue * 100).toFixed(1)} %, warm ${(l.warm * 100).toFixed(1)} %`;

async function menu(page: Page, item: string): Promise<void> {
  const more = page.getByRole('button', { name: 'More' });
  if ((await more.getAttribute('aria-expanded')) !== 'true') await more.click();
  await page.getByRole('button', { name: item, exact: true }).click();
}

/** Segmentation is running and several masks have been applied since `after`. */
async function effectRunning(page: Page, after = 0): Promise<void> {
  await waitUntil(async () => ((await page.evaluate(() => window.confabDebug!.backgroundStats()))?.segmentations ?? 0) > after + 3, 60_000, 'segmentation running');
}

/**
 * Background blur and replace at the sender, seen at the receiver: MediaPipe's selfie
 * segmenter (served from our origin) in Alice's page, the result encoded and sent; Bob's
 * decoded frames are what is measured.
 */
describe('background blur and replace', () => {
  const h = useRelayAndBrowser();

  it('blur halves the detail of the frames Bob decodes; replace shows the chosen image’s colours (beach, then office); off restores the camera', async () => {
    const { alice, bob } = await twoPersonCall(async () => (await newParticipant(h.browser)).page, h.relay.url);
    const [aliceId] = await peerIds(bob);
    await expectVideoFlowing(bob, aliceId!);
    await bob.waitForTimeout(1_000);
    const plain = await look(bob, 'Alice');

    await menu(alice, 'Blur background');
    await effectRunning(alice);
    await bob.waitForTimeout(2_000);
    const blurred = await look(bob, 'Alice');
    const stats = await alice.evaluate(() => window.confabDebug!.backgroundStats());
    console.log(`[measure] background at 640×480: ${JSON.stringify(stats)}`);
    expect(await alice.getByRole('button', { name: 'Blur background' }).getAttribute('aria-pressed')).toBe('true');
    await alice.keyboard.press('Escape');

    await menu(alice, 'Replace background');
    const picker = alice.getByRole('dialog', { name: 'Choose a background' });
    await picker.getByRole('button', { name: 'Beach' }).click();
    await bob.waitForTimeout(2_500);
    const beach = await look(bob, 'Alice');
    await picker.getByRole('button', { name: 'Office' }).click();
    await bob.waitForTimeout(2_500);
    const office = await look(bob, 'Alice');
    await picker.getByRole('button', { name: 'No effect' }).click();
    await picker.getByRole('button', { name: 'Done' }).click();
    await bob.waitForTimeout(2_500);
    const back = await look(bob, 'Alice');
    console.log(`[measure] at the receiver — plain: ${fmt(plain)}; blur: ${fmt(blurred)}; beach: ${fmt(beach)}; office: ${fmt(office)}; off again: ${fmt(back)}`);

    expect(blurred.sharpness).toBeLessThanOrEqual(plain.sharpness * 0.5);
    expect(beach.blue).toBeGreaterThan(0.15);
    expect(beach.blue).toBeGreaterThan(plain.blue + 0.1);
    expect(office.warm).toBeGreaterThan(0.15);
    expect(office.warm).toBeGreaterThan(plain.warm + 0.1);
    expect(back.sharpness).toBeGreaterThan(plain.sharpness * 0.6);
    // Remembered: the next page load starts with the choice (here: none).
    expect(await alice.evaluate(() => localStorage.getItem('confab.background'))).toBe('{"kind":"none"}');
  });
});

describe('background choice on the join screen, and where it cannot run', () => {
  const h = useRelayAndBrowser();

  it('Blur chosen on the join screen processes the camera before joining (the preview shows the track that will be sent), is remembered after a reload, and follows the camera off and on', async () => {
    const { page } = await newParticipant(h.browser);
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(h.relay.url);
    await page.getByRole('button', { name: 'Create room' }).click();
    const blur = page.getByRole('button', { name: 'Blur background' });
    await blur.click();
    await expect.poll(() => blur.getAttribute('aria-pressed')).toBe('true');
    // The preview shows the processed track (a canvas capture), not the camera's own.
    // 'camera': the fake camera's own track (Chromium names it fake_device_0); 'processed': the effect's canvas capture.
    const previewTrack = () =>
      page.evaluate(() => {
        const track = ((document.querySelector('.preview video') as HTMLVideoElement | null)?.srcObject as MediaStream | null)?.getVideoTracks()[0];
        return !track ? 'none' : /fake/i.test(track.label) ? 'camera' : 'processed';
      });
    await expect.poll(previewTrack, { timeout: 60_000 }).toBe('processed');
    await page.reload();
    await expect.poll(() => page.getByRole('button', { name: 'Blur background' }).getAttribute('aria-pressed')).toBe('true');
    await expect.poll(previewTrack, { timeout: 60_000 }).toBe('processed');
    // Camera off and on again: the effect restarts on the new camera track.
    const camera = page.getByRole('button', { name: 'Camera' });
    await camera.click();
    await expect.poll(() => camera.getAttribute('aria-pressed')).toBe('false');
    await camera.click();
    await expect.poll(() => camera.getAttribute('aria-pressed')).toBe('true');
    await expect.poll(previewTrack, { timeout: 60_000 }).toBe('processed');
    // The segmenter's script, WebAssembly and model all came from the page's own origin.
    const origin = new URL(h.relay.url).origin;
    const segmenterFiles = requests.filter((u) => u.includes('selfie_segmentation'));
    console.log(`[measure] segmenter files fetched: ${segmenterFiles.map((u) => u.slice(u.lastIndexOf('/') + 1)).join(', ')}`);
    expect(segmenterFiles.some((u) => u.endsWith('.wasm'))).toBe(true);
    expect(segmenterFiles.some((u) => u.endsWith('.tflite'))).toBe(true);
    expect(requests.filter((u) => /^https?:/.test(u) && new URL(u).origin !== origin)).toEqual([]);
  });

  it('Replace background with your own image: read in the page, shown behind, remembered', async () => {
    const { page } = await newParticipant(h.browser);
    await page.goto(h.relay.url);
    await page.getByRole('button', { name: 'Create room' }).click();
    await page.getByRole('button', { name: 'Replace background' }).click();
    const picker = page.getByRole('dialog', { name: 'Choose a background' });
    await picker.getByText('Your own image…').waitFor();
    await picker.locator('input[type=file]').setInputFiles({ name: 'red.bmp', mimeType: 'image/bmp', buffer: solidBmp(64, 48, [220, 30, 30]) });
    await picker.getByRole('button', { name: 'Your own image…' }).waitFor();
    expect(await picker.getByRole('button', { name: 'Your own image…' }).getAttribute('aria-pressed')).toBe('true');
    const redShare = () =>
      page.evaluate(() => {
        const video = document.querySelector('.preview video') as HTMLVideoElement;
        const c = Object.assign(document.createElement('canvas'), { width: 160, height: 120 });
        const g = c.getContext('2d', { willReadFrequently: true })!;
        g.drawImage(video, 0, 0, 160, 120);
        const d = g.getImageData(0, 0, 160, 120).data;
        let red = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i]! > 150 && d[i + 1]! < 90 && d[i + 2]! < 90) red++;
        return red / (160 * 120);
      });
    await expect.poll(redShare, { timeout: 60_000 }).toBeGreaterThan(0.3);
    await page.reload();
    await expect.poll(redShare, { timeout: 60_000 }).toBeGreaterThan(0.3);
  });

  it('without WebGL 2 there are no background buttons (join screen and More); without AudioWorklet no Noise suppression', async () => {
    const { context, page } = await newParticipant(h.browser);
    await context.addInitScript(() => {
      const original = HTMLCanvasElement.prototype.getContext;
      HTMLCanvasElement.prototype.getContext = function (this: HTMLCanvasElement, type: string, ...rest: unknown[]) {
        return type === 'webgl2' ? null : (original as (...a: unknown[]) => unknown).call(this, type, ...rest);
      } as typeof original;
      delete (window as { AudioWorkletNode?: unknown }).AudioWorkletNode;
    });
    await page.goto(h.relay.url);
    await page.getByRole('button', { name: 'Create room' }).click();
    await page.getByLabel('Your name').fill('Nell');
    expect(await page.getByRole('button', { name: 'Blur background' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Join', exact: true }).click({ timeout: 15_000 });
    await page.getByRole('button', { name: 'More' }).click();
    await page.getByRole('button', { name: 'Start recording' }).waitFor();
    for (const name of ['Blur background', 'Replace background', 'Noise suppression']) expect(await page.getByRole('button', { name }).count()).toBe(0);
    // The call itself goes on with the plain camera and microphone.
    expect(await page.getByRole('navigation', { name: 'Call controls' }).getByRole('button', { name: 'Camera' }).getAttribute('aria-pressed')).toBe('true');
  });
});

/** A one-colour 24-bit BMP (a format createImageBitmap reads everywhere). */
function solidBmp(width: number, height: number, [r, g, b]: [number, number, number]): Buffer {
  const row = Math.ceil((width * 3) / 4) * 4;
  const size = 54 + row * height;
  const buf = Buffer.alloc(size);
  buf.write('BM', 0);
  buf.writeUInt32LE(size, 2);
  buf.writeUInt32LE(54, 10);
  buf.writeUInt32LE(40, 14);
  buf.writeInt32LE(width, 18);
  buf.writeInt32LE(height, 22);
  buf.writeUInt16LE(1, 26);
  buf.writeUInt16LE(24, 28);
  buf.writeUInt32LE(row * height, 34);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) buf.set([b, g, r], 54 + y * row + x * 3);
  }
  return buf;
}

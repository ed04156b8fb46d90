import type { Page } from 'playwright-core';
import { waitUntil } from './wait';

export interface TileVideoState {
  playing: boolean;
  detail: string;
}

/**
 * The tile's <video> itself shows moving pictures (after a redial it plays the new tracks):
 * frames presented on screen (requestVideoFrameCallback) or its clock moving.
 */
export async function tileVideo(page: Page, name: string): Promise<TileVideoState> {
  return page.getByRole('figure', { name }).locator('video').evaluate(async (video: HTMLVideoElement) => {
    const before = video.currentTime;
    let presented = 0;
    let counting = true;
    const count = (): void => {
      presented++;
      if (counting) video.requestVideoFrameCallback(count);
    };
    video.requestVideoFrameCallback(count);
    await new Promise((r) => setTimeout(r, 500));
    counting = false;
    const tracks = (video.srcObject as MediaStream | null)?.getTracks() ?? [];
    const detail = JSON.stringify({
      presented,
      paused: video.paused,
      readyState: video.readyState,
      networkState: video.networkState,
      currentTime: [before, video.currentTime],
      size: [video.videoWidth, video.videoHeight],
      tracks: tracks.map((t) => `${t.kind}:${t.readyState}${t.muted ? ':muted' : ''}${t.enabled ? '' : ':disabled'}`),
    });
    return { playing: video.videoWidth > 0 && (presented > 1 || video.currentTime > before), detail };
  });
}

/** Waits for the tile to play; on timeout, says what its <video> element was doing. */
export async function expectTilePlaying(page: Page, name: string, where: string): Promise<void> {
  let last = '';
  await waitUntil(
    async () => {
      const state = await tileVideo(page, name);
      last = state.detail;
      return state.playing;
    },
    10_000,
    `${name}’s tile playing on ${where}’s screen`,
  ).catch((err: Error) => {
    throw new Error(`${err.message}; its <video>: ${last}`);
  });
  console.log(`[tile] ${name}’s tile on ${where}’s screen plays: ${last}`);
}

import type { Page } from 'playwright-core';

/**
 * Init script for an emulated iPhone: Chromium's device emulation keeps desktop APIs that iOS
 * Safari does not have, so remove them (screen capture; setSinkId before Safari 18.4) and add
 * a share sheet that records what it was given in `window.sharedLinks`.
 */
export const IPHONE_WITHOUT_DESKTOP_APIS = `
  delete MediaDevices.prototype.getDisplayMedia;
  delete HTMLMediaElement.prototype.setSinkId;
  window.sharedLinks = [];
  Object.defineProperty(Navigator.prototype, 'share', {
    configurable: true,
    value: async (data) => { window.sharedLinks.push({ title: data.title, url: data.url }); },
  });
`;

/** A finger dragged across the screen (real touch events through the DevTools protocol). */
export async function swipe(page: Page, fromX: number, toX: number, fromY: number, toY = fromY): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const steps = 6;
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: fromX, y: fromY }] });
  for (let i = 1; i <= steps; i++) {
    const at = { x: fromX + ((toX - fromX) * i) / steps, y: fromY + ((toY - fromY) * i) / steps };
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [at] });
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
}

export function boxesOverlap(a: { x: number; y: number; width: number; height: number }, b: { x: number; y: number; width: number; height: number }): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

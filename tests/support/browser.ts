import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags measured in design.md: fake media, loopback ICE candidates, nothing phoning home. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--autoplay-policy=no-user-gesture-required',
];

export function launchChromium(args: string[] = CHROMIUM_ARGS): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args });
}

let pagesLogged = 0;

/**
 * One participant = one browser context (its own storage, its own fake camera).
 * `noiseSuppression`: the fake microphone's beep is a pure tone, which RNNoise removes as noise
 * (tests/e2e/noise-suppression.test.ts measures it), so suites that use the beep as a stand-in
 * for a voice start with suppression off ('off', the default); 'default' keeps the product's
 * default (on where it runs).
 */
export async function newParticipant(
  browser: Browser,
  opts: { acceptSelfSignedCertificate?: boolean; noiseSuppression?: 'off' | 'default'; locale?: string } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    ignoreHTTPSErrors: opts.acceptSelfSignedCertificate ?? false,
    ...(opts.locale ? { locale: opts.locale } : {}),
  });
  if ((opts.noiseSuppression ?? 'off') === 'off') {
    await context.addInitScript(() => {
      try {
        if (localStorage.getItem('confab.noiseSuppression') === null) localStorage.setItem('confab.noiseSuppression', 'off');
      } catch {
        /* storage refused: the page's default applies */
      }
    });
  }
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error(`[page error] ${err.message}`));
  if (process.env.CONFAB_LOG_CONNECTIONS) page.on('console', (m) => /^\[confab\] (connection|playback)/.test(m.text()) && console.log(m.text()));
  // CONFAB_LOG_PAGES=1: every page's [confab] log lines, with the time and a page number.
  if (process.env.CONFAB_LOG_PAGES) {
    const n = ++pagesLogged;
    page.on('console', (m) => m.text().startsWith('[confab]') && console.log(`${new Date().toISOString().slice(14, 23)} p${n} ${m.text()}`));
  }
  return { context, page };
}

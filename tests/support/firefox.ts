import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, type Browser, type Page } from 'puppeteer-core';

/**
 * Stock Firefox (Debian firefox-esr) driven over WebDriver BiDi by puppeteer-core: Playwright's
 * own patched Firefox cannot be downloaded here, and stock Firefox speaks BiDi natively.
 */
export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

/** Fake camera, microphone and screen, no permission prompts, loopback ICE (design.md "Testing on these machines"). */
export const FIREFOX_PREFS: Record<string, unknown> = {
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  'media.peerconnection.ice.loopback': true,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  'media.peerconnection.ice.default_address_only': false,
  'media.autoplay.default': 0,
  'media.autoplay.blocking_policy': 0,
  'media.getdisplaymedia.enabled': true,
  // Nothing phones home: no updates, telemetry, captive-portal or safe-browsing checks.
  'app.update.enabled': false,
  'network.captive-portal-service.enabled': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.enabled': false,
};

/**
 * One Firefox per participant: its own profile, its own fake devices, its own sound server.
 * Firefox's AudioContext never leaves "suspended" without an audio output (resume() hangs), so
 * each Firefox gets a PulseAudio with a null sink, stopped when the browser closes.
 */
export async function launchFirefox(): Promise<Browser> {
  const sound = await startSoundServer();
  try {
    const browser = await launch({
      browser: 'firefox',
      protocol: 'webDriverBiDi',
      executablePath: FIREFOX_PATH,
      headless: true,
      extraPrefsFirefox: FIREFOX_PREFS,
      env: { ...process.env, PULSE_SERVER: sound.server },
    });
    browser.once('disconnected', sound.stop);
    return browser;
  } catch (err) {
    sound.stop();
    throw err;
  }
}

/** A private PulseAudio daemon (null sink, anonymous unix socket in a temp folder). */
async function startSoundServer(): Promise<{ server: string; stop(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'confab-pulse-'));
  const socket = join(dir, 'native');
  const daemon = spawn(
    'pulseaudio',
    ['-n', '--daemonize=no', '--exit-idle-time=-1', '--use-pid-file=no', `--load=module-native-protocol-unix socket=${socket} auth-anonymous=1`, '--load=module-null-sink'],
    { env: { ...process.env, HOME: dir, XDG_RUNTIME_DIR: dir }, stdio: 'ignore' },
  );
  const stop = () => {
    daemon.kill();
    rmSync(dir, { recursive: true, force: true });
  };
  let failed = null as Error | null;
  daemon.once('error', (err) => (failed = err));
  for (const deadline = Date.now() + 10_000; !existsSync(socket); await new Promise((r) => setTimeout(r, 50))) {
    if (failed || daemon.exitCode !== null || Date.now() > deadline) {
      stop();
      throw new Error(`Firefox tests need a sound server: pulseaudio did not start (${failed?.message ?? `exit ${daemon.exitCode}`}); apt-get install pulseaudio`);
    }
  }
  return { server: `unix:${socket}`, stop };
}

export async function newFirefoxPage(browser: Browser): Promise<Page> {
  const page = (await browser.pages())[0] ?? (await browser.newPage());
  await page.setViewport({ width: 1280, height: 800 });
  page.on('pageerror', (err) => console.error(`[firefox page error] ${String(err)}`));
  // As newParticipant does: the fake microphone's tone stands for a voice, so no noise suppression.
  await page.evaluateOnNewDocument(() => {
    try {
      if (localStorage.getItem('confab.noiseSuppression') === null) localStorage.setItem('confab.noiseSuppression', 'off');
    } catch {
      /* storage refused */
    }
  });
  if (process.env.CONFAB_LOG_PAGES) page.on('console', (m) => m.text().startsWith('[confab]') && console.log(`ff ${m.text()}`));
  return page;
}

/** Polls a page expression (a function run in the page) until it holds. */
export async function ffWaitFor(page: Page, fn: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate(fn).catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (Firefox)`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The join screen in Firefox, as a person uses it: type a name, click Join, wait for the call
 * controls. Found by accessible name and role, as room-actions.ts does for Chromium.
 */
export async function ffJoinRoom(page: Page, name: string, link?: string): Promise<void> {
  if (link) await page.goto(link);
  await ffWaitFor(page, () => [...document.querySelectorAll('label')].some((l) => l.textContent?.includes('Your name')), 15_000, 'the join screen');
  const input = await page.waitForSelector('::-p-aria(Your name)', { timeout: 15_000 });
  await input!.click({ count: 3 });
  await input!.type(name);
  const join = await page.waitForSelector('::-p-aria([name="Join"][role="button"])', { timeout: 15_000 });
  await ffWaitFor(page, () => [...document.querySelectorAll('button')].some((b) => b.textContent?.trim() === 'Join' && !b.disabled), 15_000, 'Join enabled');
  await join!.click();
  await page.waitForSelector('::-p-aria([name="Call controls"][role="navigation"])', { timeout: 20_000 });
}

/** Clicks the button with accessible name `name`. */
export async function ffClick(page: Page, name: string): Promise<void> {
  const button = await page.waitForSelector(`::-p-aria([name="${name}"][role="button"])`, { timeout: 15_000 });
  await button!.click();
}

/** Opens the chat panel if closed, types `text` into Message and clicks Send. */
export async function ffSendChat(page: Page, text: string): Promise<void> {
  const chat = await page.waitForSelector('::-p-aria([name="Chat"][role="button"])', { timeout: 15_000 });
  if ((await chat!.evaluate((b) => b.getAttribute('aria-pressed'))) !== 'true') await chat!.click();
  const input = await page.waitForSelector('::-p-aria(Message)', { timeout: 15_000 });
  await input!.type(text);
  await ffClick(page, 'Send');
}

/**
 * Firefox has no fake screen source (headless, getDisplayMedia rejects with NotFoundError even
 * with media.navigator.streams.fake), so the page's capture device is a canvas animated at
 * 15 frames/s, 1280×720: everything after the capture (Firefox's encoder, its screen
 * transceiver, the encryption, the relay) is the real thing.
 */
export async function useCanvasAsScreen(page: Page): Promise<void> {
  await page.evaluate(() => {
    navigator.mediaDevices.getDisplayMedia = async () => {
      const canvas = document.createElement('canvas');
      canvas.width = 1280;
      canvas.height = 720;
      const g = canvas.getContext('2d')!;
      let n = 0;
      const timer = setInterval(() => {
        g.fillStyle = `hsl(${(n * 7) % 360} 70% 50%)`;
        g.fillRect(0, 0, canvas.width, canvas.height);
        g.fillStyle = '#fff';
        g.font = '64px sans-serif';
        g.fillText(`Firefox screen ${n++}`, 80, 200);
      }, 66);
      const stream = canvas.captureStream(15);
      stream.getVideoTracks()[0]!.addEventListener('ended', () => clearInterval(timer));
      return stream;
    };
  });
}

import { launchChromium } from '../support/browser';
import { startRelay } from '../support/relay-process';
import { controlFoldMs, signedChatMs } from './controls-bench';
import { barePeerConnectionMs, bundleSizes, chatPropagationMs, joinToFirstFrameMs, percentile } from './client-bench';
import { crossBrowserJoins, printCrossBrowserJoins } from './cross-browser-bench';
import { bigRoomJoins, printBigRoomJoins } from './big-room-join-bench';
import { browserEpochBench, mediaKeysBench } from './media-keys-bench';
import { relayKeysBench } from './relay-keys-bench';
import { joinBeforeAfterBench } from './join-before-after-bench';
import { clusterBench } from './cluster-bench';
import { comfortsBench } from './comforts-bench';
import { relayBench } from './relay-bench';
import { roomsBench } from './rooms-bench';
import { signalingBench } from './signaling-bench';
import { soakBench } from './soak-bench';
import { youngGenerationBench } from './younggen-bench';

/** `npm run bench`: figures measured side by side in one run, printed as a table. */
const JOINS = Number(process.env.BENCH_JOINS ?? 15);
const CHAT_MESSAGES = Number(process.env.BENCH_CHAT_MESSAGES ?? 30);

const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
const median = (v: number[]) => percentile(v, 50);

/**
 * BENCH_SECTIONS picks the sections to run, in this order: client (with a newcomer joining a
 * 16-person relay room; big-room runs only that), join-before-after (join time of this build
 * beside the last build before membership-bound keys, interleaved), comforts (bundle, background pipeline, noise
 * suppression), keys, relay, signaling (one node's sockets and messages/s), cluster (the Redis
 * hop), rooms (50-person rooms: one process vs two on Redis), younggen (the relay's
 * young-generation setting, A/B), soak. Default: all but big-room and younggen. The soak takes
 * 10 minutes; BENCH_SOAK_MS shortens it.
 */
const SECTIONS = (process.env.BENCH_SECTIONS ?? 'client,join-before-after,comforts,keys,relay,signaling,cluster,rooms,soak').split(',');

async function withBrowser(run: (browser: import('playwright-core').Browser) => Promise<void>): Promise<void> {
  const browser = await launchChromium();
  try {
    await run(browser);
  } finally {
    await browser.close();
  }
}

async function withRelayAndBrowser(run: (browser: import('playwright-core').Browser, url: string) => Promise<void>): Promise<void> {
  const relay = await startRelay();
  const browser = await launchChromium();
  try {
    await run(browser, relay.url);
  } finally {
    await browser.close();
    await relay.stop();
  }
}

async function main(): Promise<void> {
  if (SECTIONS.includes('client')) await clientBench();
  if (SECTIONS.includes('big-room')) await bigRoomBench();
  if (SECTIONS.includes('join-before-after')) await withBrowser(joinBeforeAfterBench);
  if (SECTIONS.includes('comforts')) await withRelayAndBrowser(comfortsBench);
  if (SECTIONS.includes('keys')) await keysBench();
  if (SECTIONS.includes('relay')) await relayBench();
  if (SECTIONS.includes('signaling')) await signalingBench();
  if (SECTIONS.includes('cluster')) await clusterBench();
  if (SECTIONS.includes('rooms')) await roomsBench();
  if (SECTIONS.includes('younggen')) await youngGenerationBench();
  if (SECTIONS.includes('soak') && !(await soakBench())?.ok) process.exitCode = 1;
  // libdatachannel's threads would keep the process alive. ndc.cleanup() after a long soak
  // (hundreds of closed connections) crashed the process (SIGSEGV) once everything was printed.
  process.exit();
}

async function clientBench(): Promise<void> {
  const relay = await startRelay();
  const browser = await launchChromium();
  try {
    const bare = await barePeerConnectionMs(browser, relay.url, JOINS);
    const phases: Record<string, number[]> = {};
    const join = await joinToFirstFrameMs(browser, relay.url, JOINS, phases);
    const chat = await chatPropagationMs(browser, relay.url, CHAT_MESSAGES);
    const cross = await crossBrowserJoins(browser);
    const bigRoom = await bigRoomJoins(browser);
    console.log('\nConfab bench — client (one machine, loopback, Chromium fake media)\n');
    console.table({
      'bare RTCPeerConnection: createOffer → first frame': { median: fmt(median(bare)), runs: bare.length, all: bare.map((v) => v.toFixed(0)).join(' ') },
      'Confab: click Join → first remote frame': { median: fmt(median(join)), runs: join.length, all: join.map((v) => v.toFixed(0)).join(' ') },
    });
    console.log(`join / bare ratio (medians): ${(median(join) / median(bare)).toFixed(2)}×`);
    console.log(`where a join's time goes (medians from the click on Join, ms): ${Object.entries(phases).map(([p, v]) => `${p} ${median(v).toFixed(0)}`).join(', ')}, first remote frame ${median(join).toFixed(0)}`);
    printCrossBrowserJoins(cross);
    printBigRoomJoins(bigRoom);
    console.log(
      `chat propagation across 3 browsers (${chat.length} deliveries): p50 ${fmt(percentile(chat, 50))}, p95 ${fmt(percentile(chat, 95))}`,
    );
    const sizes = bundleSizes();
    console.table(Object.fromEntries(sizes.map((s) => [s.file, { bytes: s.bytes, gzip: s.gzipBytes }])));
    console.log(`client bundle total gzipped: ${(sizes.reduce((n, s) => n + s.gzipBytes, 0) / 1024).toFixed(1)} KiB`);
    const fold = await controlFoldMs();
    console.log(
      `control records of a 50-person room (${fold.records} signed records, Node WebCrypto): first fold ${fold.firstMs.toFixed(1)} ms, ` +
        `refold ${fold.refoldMs.toFixed(1)} ms, refold with one new record ${fold.refoldOneNewMs.toFixed(1)} ms`,
    );
    const signed = await signedChatMs();
    console.log(
      `signed entries (Node WebCrypto, P-256): sign ${signed.signMs.toFixed(2)} ms, verify ${signed.verifyMs.toFixed(2)} ms per chat message; ` +
        `newcomer sync of 1,000 × 2,000-character messages ${signed.syncMs.toFixed(0)} ms, verified ${signed.syncVerifiedMs.toFixed(0)} ms`,
    );
  } finally {
    await browser.close();
    await relay.stop();
  }
}

async function bigRoomBench(): Promise<void> {
  const browser = await launchChromium();
  try {
    printBigRoomJoins(await bigRoomJoins(browser));
  } finally {
    await browser.close();
  }
}

async function keysBench(): Promise<void> {
  await mediaKeysBench();
  await relayKeysBench();
  await withRelayAndBrowser(browserEpochBench);
}

await main();

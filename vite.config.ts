import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vitest/config';
import solid from 'vite-plugin-solid';

/**
 * MediaPipe's selfie segmentation (person segmentation for background blur and replace) ships
 * its own runtime: a classic script, its WebAssembly and its TFLite model, which it loads by
 * name at run time. They are copied into the build under vendor/selfie_segmentation/ and served
 * from our own origin (the dev server serves them from node_modules): nothing from a CDN.
 */
const SEGMENTER_DIR = fileURLToPath(new URL('./node_modules/@mediapipe/selfie_segmentation', import.meta.url));
const SEGMENTER_PATH = 'vendor/selfie_segmentation';
function selfieSegmentationFiles(): Plugin {
  const files = () => readdirSync(SEGMENTER_DIR).filter((f) => /\.(js|wasm|tflite|binarypb|data)$/.test(f));
  return {
    name: 'confab-selfie-segmentation',
    generateBundle() {
      for (const file of files()) this.emitFile({ type: 'asset', fileName: `${SEGMENTER_PATH}/${file}`, source: readFileSync(join(SEGMENTER_DIR, file)) });
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const m = req.url?.match(/\/vendor\/selfie_segmentation\/([\w.-]+)$/);
        if (!m || !files().includes(m[1]!)) return next();
        res.setHeader('Content-Type', m[1]!.endsWith('.js') ? 'text/javascript' : m[1]!.endsWith('.wasm') ? 'application/wasm' : 'application/octet-stream');
        res.end(readFileSync(join(SEGMENTER_DIR, m[1]!)));
      });
    },
  };
}

/**
 * `vite build`: the production client in dist/. `vite build --mode test-hooks`: the same client
 * plus window.confabDebug and the test session (client/src/test-hooks/), in dist-test/; the
 * e2e tests, the bench and the screenshots serve that one (tests/support/relay-process.ts).
 */
/** e2e suites not yet passing here, run apart (`--project e2e-pending`), outside npm test: none now. */
const E2E_PENDING: string[] = [];

export default defineConfig(({ mode }) => ({
  root: 'client',
  base: './',
  plugins: [solid(), selfieSegmentationFiles()],
  build: { outDir: mode === 'test-hooks' ? '../dist-test' : '../dist', emptyOutDir: true, target: 'es2022' },
  test: {
    root: '.',
    environment: 'node',
    projects: [
      {
        // 20 s, not vitest's 5 s: on two cores shared with other test runs (load 10–25) the
        // fuzz and sync tests took 5–7 s though they need ~2.5 s on an idle machine.
        test: { name: 'unit', root: '.', include: ['tests/unit/**/*.test.ts'], environment: 'node', testTimeout: 20_000 },
      },
      {
        test: {
          name: 'load',
          root: '.',
          include: ['tests/load/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          root: '.',
          include: ['tests/e2e/**/*.test.ts'],
          // Not passing on main yet (see the session's closing note): relay-room (its bots receive
          // no video from the browsers since this session's merges), network-drop (one case),
          // reload (rejoin after a reload: regressed), e2ee (rewritten for epochs, never run since), and new suites that have never passed
          // here (the machine was saturated while they were written). They run with
          // `npx vitest run --project e2e-pending`; each must move back once it passes.
          exclude: E2E_PENDING,
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          // Real browsers on 2 shared cores: a timing-sensitive media check may miss once
          // (retries are reported in the output; one that keeps failing still fails).
          retry: process.env.CONFAB_NO_RETRY ? 0 : 1,
        },
      },
      {
        test: {
          name: 'e2e-pending',
          root: '.',
          include: E2E_PENDING,
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
}));

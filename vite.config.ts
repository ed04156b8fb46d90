import { defineConfig } from 'vitest/config';
import solid from 'vite-plugin-solid';

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
  plugins: [solid()],
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
          retry: 1,
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

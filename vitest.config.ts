import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Node loads graphql's CommonJS build (as @apollo/gateway does); Vite would pick its ESM build,
    // and two copies of graphql cannot share schema objects.
    alias: [{ find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') }],
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          exclude: ['node_modules/**'],
          // Vitest's default on 2 cores is one worker; the unit files wait on PGlite and sockets as much as on the CPU.
          maxWorkers: 2,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          // The shop served in the test's own process (test/support/inProcessSystem.ts): every subgraph and
          // gateway on a loopback port, real Redis and PostgreSQL where a suite asks for them, no child
          // process. A file holds only its own ports, databases and Redis keys, so two run at once: one
          // waits on sockets and timers while the other starts its services. A project of its own, so the
          // unit project (which the scaffold's test runs in a copy of the repository) stays fast.
          include: ['test/**/*.integration.ts'],
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
          testTimeout: 30_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/**/*.e2e.ts'],
          // Each suite starts its own processes; running them one at a time keeps a 2-core machine responsive.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});

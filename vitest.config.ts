import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Tests import packages by name, as users do; these aliases point the names at sources so no build is needed.
const alias = [
  { find: /^@sbx\/timing\/browser$/, replacement: src('./packages/timing/src/browser.ts') },
  { find: /^@sbx\/timing$/, replacement: src('./packages/timing/src/index.ts') },
  { find: /^@sbx\/store$/, replacement: src('./packages/store/src/index.ts') },
  {
    find: /^@sbx\/bootstrap\/webcontainer\/testing$/,
    replacement: src('./packages/bootstrap/src/webcontainer/testing.ts'),
  },
  {
    find: /^@sbx\/bootstrap\/webcontainer$/,
    replacement: src('./packages/bootstrap/src/webcontainer/index.ts'),
  },
  { find: /^@sbx\/bootstrap\/testing$/, replacement: src('./packages/bootstrap/src/testing.ts') },
  { find: /^@sbx\/bootstrap$/, replacement: src('./packages/bootstrap/src/index.ts') },
  { find: /^@sbx\/agent-host$/, replacement: src('./apps/agent-host/src/index.ts') },
  { find: /^@sbx\/client$/, replacement: src('./packages/client/src/index.ts') },
];

export default defineConfig({
  resolve: { alias },
  test: {
    // CI also writes a JSON report that .ci/run turns into one plain summary line.
    reporters: process.env.CI
      ? ['default', ['json', { outputFile: 'test-results/vitest.json' }]]
      : ['default'],
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**/*.ts', 'apps/*/src/**/*.ts'],
      exclude: ['**/*.test.ts', '**/index.ts', '**/browser.ts'],
      reporter: ['text-summary', 'json-summary'],
      thresholds: {
        'packages/timing/src/**/*.ts': { lines: 90, functions: 90, branches: 85, statements: 90 },
        'packages/store/src/**/*.ts': { lines: 90, functions: 90, branches: 85, statements: 90 },
      },
    },
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'packages/*/agent/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'int',
          include: [
            'packages/*/src/**/*.int.test.ts',
            'packages/*/agent/*.int.test.ts',
            'apps/*/src/**/*.int.test.ts',
            'apps/*/test/**/*.int.test.ts',
          ],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});

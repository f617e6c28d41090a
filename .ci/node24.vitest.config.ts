// The repository's vitest config, with `better-sqlite3` resolved to a copy built for the Node.js running the
// tests: .ci/node24.sh compiles one in a temp folder and names it in SBX_BETTER_SQLITE3_DIR, so the
// workspace's own build (for Node.js 20) stays as it is.
import config from '../vitest.config.ts';

// biome-ignore lint/suspicious/noUndeclaredEnvVars: set by .ci/node24.sh, which runs vitest itself, not through turbo
const dir = process.env.SBX_BETTER_SQLITE3_DIR;
if (!dir) throw new Error('SBX_BETTER_SQLITE3_DIR must name a better-sqlite3 folder built for this Node.js');
const betterSqlite3 = { find: /^better-sqlite3$/, replacement: dir };

export default {
  ...config,
  test: {
    ...config.test,
    projects: (config.test?.projects ?? []).map((project) =>
      typeof project === 'object' && 'test' in project
        ? {
            ...project,
            resolve: { ...project.resolve, alias: [betterSqlite3, ...(project.resolve?.alias ?? [])] },
          }
        : project,
    ),
  },
};

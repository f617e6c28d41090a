// better-sqlite3 loads its compiled addon on the first `new Database()`. Two failures there are not about the
// database path at all, and each has one fix, which the message has to name:
// - the addon was never built: npm could not build it, or pnpm 10 skipped its build script until approved;
// - it was built for another Node.js (NODE_MODULE_VERSION differs) or is damaged.

const PNPM_FIX =
  "With pnpm 10, which skips dependencies' build scripts until they are approved, allow it first: run " +
  '`pnpm approve-builds` (or list better-sqlite3 under `onlyBuiltDependencies`, or `allowBuilds`, in ' +
  'pnpm-workspace.yaml), then run `pnpm rebuild better-sqlite3`.';

/**
 * Says what to run when `error` (thrown by better-sqlite3's `new Database()`) means its native module is
 * missing or was built for another Node.js; `undefined` for any other failure.
 */
export function nativeModuleHint(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : '';
  const code = (error as { code?: unknown } | null)?.code;
  if (message.includes('Could not locate the bindings file')) {
    return (
      "better-sqlite3's native module is not built (Could not locate the bindings file). " +
      `With npm, run \`npm rebuild better-sqlite3\`. ${PNPM_FIX} ` +
      'Building it needs Python, make and a C++ compiler when no prebuilt binary can be downloaded.'
    );
  }
  if (code === 'ERR_DLOPEN_FAILED' && /better_sqlite3\.node|NODE_MODULE_VERSION/.test(message)) {
    const versions = /NODE_MODULE_VERSION (\d+)[\s\S]*NODE_MODULE_VERSION (\d+)/.exec(message);
    const why = versions
      ? `was built for another Node.js (NODE_MODULE_VERSION ${versions[1]}; Node.js ${process.version} needs ${versions[2]})`
      : `cannot be loaded (${firstLine(message)})`;
    return (
      `better-sqlite3's native module ${why}. Rebuild it for this Node.js: ` +
      'with npm, run `npm rebuild better-sqlite3`; with pnpm, run `pnpm rebuild better-sqlite3`.'
    );
  }
  return undefined;
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? text;
}

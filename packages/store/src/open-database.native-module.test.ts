import { isStoreError, openDatabase, type StoreError } from '@sbx/store';
import { beforeEach, describe, expect, it, vi } from 'vitest';

// better-sqlite3 loads its addon inside `new Database()`; a missing or mismatched addon cannot be produced
// on purpose in this process, so the driver is replaced by one that throws what the real one throws.
const driver = vi.hoisted(() => ({ error: new Error('unset') as Error }));
vi.mock('better-sqlite3', () => ({
  default: class {
    constructor() {
      throw driver.error;
    }
  },
}));

// Messages as better-sqlite3 12 (through `bindings`) and Node.js produce them.
const dir = '/app/node_modules/better-sqlite3';
const bindingsMissing = () =>
  new Error(
    'Could not locate the bindings file. Tried:\n' +
      ` → ${dir}/build/better_sqlite3.node\n` +
      ` → ${dir}/build/Release/better_sqlite3.node\n` +
      ` → ${dir}/lib/binding/node-v115-linux-x64/better_sqlite3.node`,
  );
const abiMismatch = () =>
  Object.assign(
    new Error(
      `The module '${dir}/build/Release/better_sqlite3.node'\n` +
        'was compiled against a different Node.js version using\n' +
        'NODE_MODULE_VERSION 115. This version of Node.js requires\n' +
        'NODE_MODULE_VERSION 137. Please try re-compiling or re-installing\n' +
        'the module (for instance, using `npm rebuild` or `npm install`).',
    ),
    { code: 'ERR_DLOPEN_FAILED' },
  );

async function openFailure(): Promise<StoreError> {
  const error = await openDatabase(':memory:').then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isStoreError(error, 'OPEN_FAILED')) throw new Error(`expected OPEN_FAILED, got ${String(error)}`);
  return error;
}

describe('openDatabase when better-sqlite3 cannot load its native module', () => {
  beforeEach(() => {
    driver.error = new Error('unset');
  });

  it('says the module is not built and what npm and pnpm 10 users run, not that the path is wrong', async () => {
    driver.error = bindingsMissing();
    const error = await openFailure();
    expect(error.message).toContain("better-sqlite3's native module is not built");
    expect(error.message).toContain('`npm rebuild better-sqlite3`');
    expect(error.message).toContain('`pnpm approve-builds`');
    expect(error.message).toContain('onlyBuiltDependencies');
    expect(error.message).toContain('`pnpm rebuild better-sqlite3`');
    expect(error.message).not.toMatch(/writable|another path/);
    expect(error.message).not.toContain('→'); // the tried paths stay in `cause`
    expect(error.cause).toBe(driver.error);
  });

  it('says the module was built for another Node.js and how to rebuild it', async () => {
    driver.error = abiMismatch();
    const error = await openFailure();
    expect(error.message).toContain(
      `built for another Node.js (NODE_MODULE_VERSION 115; Node.js ${process.version} needs 137)`,
    );
    expect(error.message).toContain('`npm rebuild better-sqlite3`');
    expect(error.message).toContain('`pnpm rebuild better-sqlite3`');
    expect(error.message).not.toMatch(/writable/);
  });

  it('names a damaged module file as the problem', async () => {
    driver.error = Object.assign(new Error(`${dir}/build/Release/better_sqlite3.node: file too short`), {
      code: 'ERR_DLOPEN_FAILED',
    });
    const error = await openFailure();
    expect(error.message).toContain('cannot be loaded');
    expect(error.message).toContain('file too short');
    expect(error.message).toContain('`npm rebuild better-sqlite3`');
  });

  it('keeps the path advice for failures that are about the file', async () => {
    driver.error = Object.assign(new Error('unable to open database file'), { code: 'SQLITE_CANTOPEN' });
    const error = await openFailure();
    expect(error.message).toContain('unable to open database file');
    expect(error.message).toContain('writable SQLite file');
    expect(error.message).not.toContain('rebuild');
  });
});

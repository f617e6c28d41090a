import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built CLI; `pnpm test` builds before running vitest. */
export const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
/** The offline test image `.ci/prereqs/docker.sh` builds. */
export const TEST_IMAGE = process.env.SBX_TEST_IMAGE ?? 'sbx-test/busybox:latest';
/** A command that prints `ready` then idles, for log readiness. */
export const READY_CMD = `sh -c 'echo ready; exec sleep 3600'`;

/** `sbx provision docker` of the test image with log readiness, `count` times, into `db`. */
export function provisionArgs(db: string, count: number, extra: string[] = []): string[] {
  const probe = ['--ready', 'log:^ready$', '--count', String(count)];
  return ['provision', 'docker', '--db', db, '--image', TEST_IMAGE, '--cmd', READY_CMD, ...probe, ...extra];
}

/** Why the end-to-end tests cannot run here, or undefined when they can. */
export function missingPrerequisite(): string | undefined {
  if (!existsSync(CLI)) return `${CLI} is missing: run \`pnpm build\` first`;
  try {
    execFileSync('docker', ['image', 'inspect', TEST_IMAGE], { stdio: 'ignore' });
  } catch {
    return `Docker engine or ${TEST_IMAGE} missing: run \`bash .ci/prereqs/docker.sh\``;
  }
  return undefined;
}

/** Why the gVisor tests cannot run here (no engine, image or runsc runtime), or undefined when they can. */
export function missingRunsc(): string | undefined {
  const missing = missingPrerequisite();
  if (missing) return missing;
  const runtimes = execFileSync('docker', ['info', '--format', '{{json .Runtimes}}'], { encoding: 'utf8' });
  return /"runsc"/.test(runtimes)
    ? undefined
    : `the Docker engine has no runsc runtime (${runtimes.trim()}): run \`bash .ci/prereqs/docker.sh\``;
}

/** A fresh database path in a temp folder (the folder is created by the store). */
export function tempDb(): string {
  return join(mkdtempSync(join(tmpdir(), 'sbx-e2e-')), 'nested', 'sbx.db');
}

/** Runs the CLI to completion. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}) {
  return runNode([CLI, ...args], env);
}

/** Runs `node` with `args` (a script and its arguments) to completion. */
export function runNode(args: string[], env: NodeJS.ProcessEnv = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts the CLI and returns the child with its output so far. */
export function startCli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child: ChildProcess = spawn(process.execPath, [CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const out = { stdout: '', stderr: '' };
  child.stdout?.on('data', (d) => (out.stdout += d));
  child.stderr?.on('data', (d) => (out.stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, out, exited };
}

/** Containers (any state) a CLI process with this pid created, by sbx's owner label (`host:pid[:...]`). */
export function containersOwnedBy(pid: number | undefined): string[] {
  const out = execFileSync(
    'docker',
    ['ps', '-a', '--filter', 'label=sbx.managed-by=sbx', '--format', '{{.ID}} {{.Label "sbx.owner"}}'],
    { encoding: 'utf8' },
  );
  const owner = `${hostname()}:${pid}`;
  return out
    .split('\n')
    .map((line) => line.split(' '))
    .filter(([id, label]) => id && (label === owner || label?.startsWith(`${owner}:`)))
    .map(([id]) => id as string);
}

/** Polls `check` every 50 ms until it returns true, or fails after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A running `sbx serve` with its base URL and a client that sends the token it created. */
export async function startServe(db: string, args: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const cli = startCli(['serve', '--port', '0', '--db', db, ...args], env);
  await until(() => /dashboard: \S+/.test(cli.out.stdout), 30_000, 'the server to listen');
  const base = /listening on (http:\S+)/.exec(cli.out.stdout)?.[1] as string;
  const tokenFile = /(?:created the token file|tokens from) (\S+)/.exec(cli.out.stdout)?.[1] as string;
  const token = readFileSync(tokenFile, 'utf8').trim();
  const api = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  return { ...cli, base, token, tokenFile, api };
}

/**
 * The value of the sample `name` whose labels include `labels` (in any order) in a Prometheus exposition; the sum
 * when several do (the series of each engine `runtime`, when the labels leave it out); `undefined` when none does.
 */
export function sampleValue(text: string, name: string, labels: Record<string, string>): string | undefined {
  let sum: number | undefined;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = new Map([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) sum = (sum ?? 0) + Number(match[3]);
  }
  return sum === undefined ? undefined : String(sum);
}

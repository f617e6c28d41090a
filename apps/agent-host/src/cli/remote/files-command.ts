import { Command } from 'commander';
import type { CliIo } from '../cli-io.js';
import { wholeNumber } from '../flags.js';
import { type RemoteFlags, remotePath, runRemote, withRemoteFlags } from './remote-context.js';

type Flags = RemoteFlags & { user?: string };

/**
 * `sbx files stat|ls|mkdir|mv|rm|watch ID:/path`: a sandbox's files through the in-sandbox agent (stat and a
 * one-level `ls` work without it), as the sandbox's user or `--user`.
 */
export function filesCommand(io: CliIo): Command {
  const files = new Command('files').description("a sandbox's files: stat, ls, mkdir, mv, rm, watch");
  const sub = (name: string, description: string) =>
    withRemoteFlags(files.command(name).description(description), io).option(
      '--user <user>',
      'run as this user inside the sandbox (name, uid or uid:gid)',
    );
  sub('stat', 'what is at ID:/path')
    .argument('<target>', 'ID:/path')
    .action((target: string, opts: Flags) =>
      remote(io, opts, target, async (box, path) => print(io, await box.files.stat(path, user(opts)))),
    );
  sub('ls', 'the entries of the directory ID:/path')
    .argument('<target>', 'ID:/path')
    .option('--depth <n>', 'list this deep (1..16)', wholeNumber('--depth', { max: 16 }))
    .action((target: string, opts: Flags & { depth?: number }) =>
      remote(io, opts, target, async (box, path) => {
        const listed = await box.files.list(path, {
          ...user(opts),
          ...(opts.depth ? { depth: opts.depth } : {}),
        });
        if (opts.json) return print(io, listed);
        for (const e of listed.entries)
          io.stdout.write(
            `${e.mode} ${String(e.size).padStart(10)} ${e.path}${e.type === 'directory' ? '/' : ''}\n`,
          );
        if (listed.truncated) io.stderr.write('sbx: the listing was cut at the limit\n');
      }),
    );
  sub('mkdir', 'create the directory ID:/path and its parents')
    .argument('<target>', 'ID:/path')
    .action((target: string, opts: Flags) =>
      remote(io, opts, target, async (box, path) =>
        print(io, { created: await box.files.mkdir(path, user(opts)) }),
      ),
    );
  sub('mv', 'rename ID:/from to /to')
    .argument('<source>', 'ID:/from')
    .argument('<to>', '/to (in the same sandbox)')
    .action((source: string, to: string, opts: Flags) =>
      remote(io, opts, source, async (box, from) => {
        await box.files.move(from, to, user(opts));
      }),
    );
  sub('rm', 'remove ID:/path (recursively)')
    .argument('<target>', 'ID:/path')
    .action((target: string, opts: Flags) =>
      remote(io, opts, target, async (box, path) => {
        await box.files.remove(path, user(opts));
      }),
    );
  sub('watch', 'print changes under ID:/path as they happen (one JSON line each; Ctrl-C stops)')
    .argument('<target>', 'ID:/path')
    .option('-r, --recursive', 'watch the subdirectories too')
    .action((target: string, opts: Flags & { recursive?: boolean }) =>
      remote(io, opts, target, async (box, path) => {
        const stop = new AbortController();
        process.once('SIGINT', () => stop.abort());
        const events = box.files.watch(path, {
          ...user(opts),
          recursive: opts.recursive ?? false,
          signal: stop.signal,
        });
        for await (const event of events) io.stdout.write(`${JSON.stringify(event)}\n`);
      }),
    );
  return files;
}

type Box = ReturnType<Parameters<Parameters<typeof runRemote>[2]>[0]['sandboxes']['get']>;

function remote(io: CliIo, opts: Flags, target: string, fn: (box: Box, path: string) => Promise<void>) {
  return runRemote(io, opts, async (client) => {
    const parsed = remotePath(target);
    if (!parsed) {
      throw Object.assign(new Error(`expected ID:/path, got ${JSON.stringify(target)}`), {
        code: 'INVALID_FLAG',
      });
    }
    await fn(client.sandboxes.get(parsed.id), parsed.path);
  });
}

function user(opts: Flags): { user?: string } {
  return opts.user ? { user: opts.user } : {};
}

function print(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value)}\n`);
}

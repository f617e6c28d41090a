import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import type { CliIo } from '../cli-io.js';
import { type RemoteFlags, remotePath, runRemote, withRemoteFlags } from './remote-context.js';

/**
 * `sbx cp LOCAL ID:/path` and `sbx cp ID:/path LOCAL`: copies a file into or out of a sandbox (`-` is stdin or
 * stdout); with `--tar`, LOCAL is a tar archive unpacked into (or made of) the directory at `/path`.
 */
export function cpCommand(io: CliIo): Command {
  const command = new Command('cp')
    .description(
      'copy a file into or out of a sandbox (LOCAL ID:/path, or ID:/path LOCAL; - is stdin/stdout)',
    )
    .argument('<source>', 'LOCAL or ID:/path')
    .argument('<target>', 'ID:/path or LOCAL')
    .option('--tar', 'LOCAL is a tar archive of the directory at /path')
    .option('--mode <octal>', 'mode of the file written in the sandbox, e.g. 755')
    .addHelpText(
      'after',
      '\nExamples:\n  sbx cp ./main.py sbx-1a2b:/tmp/main.py\n  sbx cp sbx-1a2b:/tmp/out.txt -\n  tar -C src -c . | sbx cp --tar - sbx-1a2b:/tmp/src',
    );
  return withRemoteFlags(command, io).action(
    (source: string, target: string, opts: RemoteFlags & { tar?: boolean; mode?: string }) =>
      runRemote(io, opts, async (client) => {
        const into = remotePath(target);
        const from = remotePath(source);
        if ((into === undefined) === (from === undefined)) {
          throw Object.assign(new Error('one side must be ID:/path and the other a local path'), {
            code: 'INVALID_FLAG',
          });
        }
        if (into) {
          const data = await readLocal(source, io);
          const box = client.sandboxes.get(into.id);
          if (opts.tar) await box.files.writeTar(into.path, data);
          else
            await box.files.write(into.path, data, opts.mode ? { mode: Number.parseInt(opts.mode, 8) } : {});
          if (opts.json) io.stdout.write(`${JSON.stringify({ copied: data.length, to: target })}\n`);
          return;
        }
        const remote = from as { id: string; path: string };
        const box = client.sandboxes.get(remote.id);
        const data = opts.tar ? await box.files.readTar(remote.path) : await box.files.read(remote.path);
        if (target === '-') io.stdout.write(data);
        else writeFileSync(target, data);
        if (opts.json && target !== '-')
          io.stdout.write(`${JSON.stringify({ copied: data.length, to: target })}\n`);
      }),
  );
}

async function readLocal(path: string, io: CliIo): Promise<Uint8Array> {
  if (path !== '-') {
    if (statSync(path).isDirectory()) {
      throw Object.assign(
        new Error(`${path} is a directory: pipe a tar, e.g. tar -C ${path} -c . | sbx cp --tar - ID:/path`),
        {
          code: 'INVALID_FLAG',
        },
      );
    }
    return readFileSync(path);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin ?? []) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

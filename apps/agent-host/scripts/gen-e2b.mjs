// Regenerates src/e2b/gen/ from src/e2b/proto/ with Debian's protoc (apt-get install protobuf-compiler) and
// the pinned @bufbuild/protoc-gen-es (2.13.0: the last line that runs on Node 20). The output is checked in.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const plugin = fileURLToPath(new URL('../node_modules/.bin/protoc-gen-es', import.meta.url));
rmSync(`${root}src/e2b/gen`, { recursive: true, force: true });
mkdirSync(`${root}src/e2b/gen`, { recursive: true });
try {
  execFileSync(
    'protoc',
    [
      `--plugin=protoc-gen-es=${plugin}`,
      '--es_out=src/e2b/gen',
      '--es_opt=target=ts,import_extension=js',
      '-I',
      'src/e2b/proto',
      '-I',
      '/usr/include',
      'process/process.proto',
      'filesystem/filesystem.proto',
    ],
    { cwd: root, stdio: 'inherit' },
  );
} catch (error) {
  if (error.code === 'ENOENT') {
    console.error(
      "gen:e2b: protoc is missing: install Debian's protobuf-compiler (apt-get install protobuf-compiler)",
    );
    process.exit(1);
  }
  throw error;
}

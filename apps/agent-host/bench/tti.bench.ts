// `sbx bench tti` short (#28): every mode, cold and pooled, on the real engine with the `node` template, with
// the engine's floors measured in the same run; it prints each series' median over its floors. Count
// BENCH_TTI_COUNT (default 20). Needs .ci/prereqs/docker.sh and `sbx template build node`.
import { processIo } from '../src/cli/cli-io.js';
import { buildProgram } from '../src/cli/program.js';

const count = process.env.BENCH_TTI_COUNT ?? '20';
await buildProgram(processIo).parseAsync(['node', 'sbx', 'bench', 'tti', '--count', count, '--mode', 'all'], {
  from: 'node',
});

// README text that went stale once: each line here is a sentence a newcomer followed and that was wrong.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');

describe('README says what the code does', () => {
  it('pools are merged; runsc is never paired with egress; sbx runtimes exists where it is pointed to', () => {
    const readme = read('README.md');
    expect(readme).not.toMatch(/pools are not merged/);
    // The host refuses runtime runsc with network egress (runsc is registered with --network=none).
    expect(readme).not.toMatch(/"runtime": "runsc", "network": "egress"/);
    expect(readme).toMatch(/refuses\s+`"runtime": "runsc"` with `"network": "egress"`/);
    const remote = read('apps/agent-host/src/cli/remote/index.ts');
    expect(read('apps/agent-host/src/cli/remote/sandbox-commands.ts')).toContain('sbx runtimes lists them');
    expect(remote).toContain('runtimesCommand(io)');
    expect(read('apps/agent-host/README.md')).toContain('| `sbx runtimes` |');
  });
});

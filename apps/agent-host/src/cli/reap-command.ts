import { Command } from 'commander';
import type { ProvisionCommandContext } from './command-context.js';

/** `sbx reap`: removes sandboxes that expired or whose owner process is gone, for every adapter that can. */
export function reapCommand(ctx: ProvisionCommandContext): Command {
  return new Command('reap')
    .description('remove leaked sbx sandboxes (expired, or whose owner process is gone)')
    .option('--json', 'print JSON for scripts')
    .addHelpText('after', '\nExample:\n  sbx reap')
    .action((opts) =>
      ctx.withHost(async (agent) => {
        const removed = await agent.service.reap();
        ctx.io.stdout.write(
          opts.json ? `${JSON.stringify({ removed })}\n` : `removed ${removed.length} leaked sandbox(es)\n`,
        );
      }),
    );
}

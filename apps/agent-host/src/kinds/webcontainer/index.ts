import { Command } from 'commander';
import { wholeNumber } from '../../cli/flags.js';
import type { SandboxTypeModule } from '../sandbox-type-module.js';
import { provisionWebContainer } from './provision-webcontainer.js';

/** StackBlitz WebContainers: provisioned and measured in a browser page, which posts each result to the host. */
export const webContainerModule: SandboxTypeModule = {
  type: 'webcontainer',
  notProvisionedHere:
    'webcontainer sandboxes are provisioned in a browser page (GET /webcontainer), which posts its measurement to POST /v1/provisions',
  provisionCommand: (ctx) =>
    new Command('webcontainer')
      .description('provision WebContainers in headless Chromium (the measuring page) and print the timings')
      .option('--count <n>', 'how many sandboxes (at most 1000)', wholeNumber('--count', { max: 1_000 }), 1)
      .option('--fake [scenario]', 'swap in the fake module (ok, hang, ...) - no internet needed')
      .option('--chromium <path>', 'the Chromium binary', '/usr/bin/chromium')
      .option('--timeout <ms>', 'bound of one provision, page load to result', wholeNumber('--timeout'))
      .option('--boot-timeout <ms>', 'bound of boot() in the page', wholeNumber('--boot-timeout'))
      .option('--json', 'print JSON for scripts')
      .addHelpText('after', '\nExample:\n  sbx provision webcontainer --fake --count 5')
      .action(async (opts) => {
        process.exitCode = await ctx.withHost((agent) => provisionWebContainer(agent, opts, ctx.io));
      }),
};

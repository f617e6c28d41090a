import type { SandboxTypeModule } from '../sandbox-type-module.js';

/** StackBlitz WebContainers: provisioned and measured in a browser page, which posts each result to the host. */
export const webContainerModule: SandboxTypeModule = {
  type: 'webcontainer',
  notProvisionedHere:
    'webcontainer sandboxes are provisioned in a browser page (GET /webcontainer), which posts its measurement to POST /v1/provisions',
  phases: ['preflight', 'boot', 'mount', 'install', 'start', 'ready'],
  cli: {
    runner: 'browser-page',
    description: 'provision WebContainers in headless Chromium (the measuring page) and print the timings',
    flags: [
      {
        flags: '--count <n>',
        description: 'how many sandboxes (at most 1000)',
        parse: { wholeNumber: { max: 1_000 } },
        default: 1,
      },
      {
        flags: '--fake [scenario]',
        description: 'swap in the fake module (ok, hang, ...) - no internet needed',
      },
      { flags: '--chromium <path>', description: 'the Chromium binary', default: '/usr/bin/chromium' },
      {
        flags: '--timeout <ms>',
        description: 'bound of one provision, page load to result',
        parse: { wholeNumber: {} },
      },
      {
        flags: '--boot-timeout <ms>',
        description: 'bound of boot() in the page',
        parse: { wholeNumber: {} },
      },
      { flags: '--json', description: 'print JSON for scripts' },
    ],
    example: 'sbx provision webcontainer --fake --count 5',
  },
};

import { SANDBOX_TYPES, type SandboxType } from '@sbx/timing';
import { dockerModule } from './docker/index.js';
import type { SandboxTypeModule } from './sandbox-type-module.js';
import { webContainerModule } from './webcontainer/index.js';

/**
 * One module per entry of @sbx/timing's `SANDBOX_TYPE_TABLE` (the type checker insists on each): adding a
 * sandbox kind is its folder, one line here, and its docs.
 */
export const SANDBOX_MODULES: Readonly<{ [T in SandboxType]: SandboxTypeModule & { type: T } }> =
  Object.freeze({
    docker: dockerModule as SandboxTypeModule & { type: 'docker' },
    webcontainer: webContainerModule as SandboxTypeModule & { type: 'webcontainer' },
  });

/** The modules in the table's order. */
export function sandboxModules(): SandboxTypeModule[] {
  return SANDBOX_TYPES.map((type) => SANDBOX_MODULES[type]);
}

/** The phases each sandbox type reports (from its module); anything else is refused. */
export const KNOWN_PHASES: Readonly<Record<SandboxType, readonly string[]>> = Object.freeze(
  Object.fromEntries(SANDBOX_TYPES.map((type) => [type, SANDBOX_MODULES[type].phases])) as Record<
    SandboxType,
    readonly string[]
  >,
);

import type { Command } from 'commander';
import type { CliIo } from '../cli-io.js';
import { cpCommand } from './cp-command.js';
import { execCommand, logsCommand } from './exec-command.js';
import { filesCommand } from './files-command.js';
import { portForwardCommand } from './port-forward-command.js';
import { attachCommand, killCommand, psCommand } from './process-commands.js';
import { runtimesCommand } from './runtimes-command.js';
import { createCommand, lsCommand, rmCommand } from './sandbox-commands.js';
import { shellCommand } from './shell-command.js';

/** The everyday commands that talk to a running host through @sbx/client. */
export function remoteCommands(io: CliIo): Command[] {
  return [
    createCommand(io),
    execCommand(io),
    lsCommand(io),
    rmCommand(io),
    logsCommand(io),
    cpCommand(io),
    filesCommand(io),
    portForwardCommand(io),
    runtimesCommand(io),
    psCommand(io),
    attachCommand(io),
    killCommand(io),
    shellCommand(io),
  ];
}

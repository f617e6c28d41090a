#!/usr/bin/env node
import { isBootstrapError } from '@sbx/bootstrap';
import { CommanderError } from 'commander';
import { CliError, processIo } from './cli/cli-io.js';
import { buildProgram } from './cli/program.js';

const io = processIo;
try {
  await buildProgram(io).parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exitCode = error.exitCode;
  else if (error instanceof CliError || isBootstrapError(error) || (error as { code?: string })?.code) {
    // Known failures say what was wrong and what to do; no stack trace.
    io.stderr.write(`sbx: ${(error as Error).message}\n`);
    process.exitCode = error instanceof CliError ? error.exitCode : 1;
  } else {
    io.stderr.write(`sbx: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  }
}

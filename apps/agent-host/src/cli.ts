#!/usr/bin/env node
import { isBootstrapError } from '@sbx/bootstrap';
import { CommanderError } from 'commander';
import { processIo } from './cli/cli-io.js';
import { buildProgram } from './cli/program.js';
import { errorMapping } from './error-codes.js';
import { isAgentHostError } from './errors.js';

const io = processIo;
try {
  await buildProgram(io).parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // commander already printed its one line (and where to read more).
    process.exitCode = error.exitCode;
  } else if (isAgentHostError(error)) {
    io.stderr.write(`sbx: ${error.message}\n`);
    process.exitCode = error.exitCode;
  } else if (isBootstrapError(error) || typeof (error as { code?: unknown })?.code === 'string') {
    // Known failures say what was wrong and what to do; no stack trace.
    io.stderr.write(`sbx: ${(error as Error).message}\n`);
    process.exitCode = errorMapping(String((error as { code: unknown }).code)).exit;
  } else {
    io.stderr.write(`sbx: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  }
}

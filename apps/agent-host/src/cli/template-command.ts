import { homedir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { AgentHostError } from '../errors.js';
import { dockerClient } from '../kinds/docker/index.js';
import { runCommand } from '../templates/run-command.js';
import {
  BUILD_PHASES,
  type BuildProgress,
  buildTemplate,
  type TemplateBuilderDeps,
} from '../templates/template-builder.js';
import { TemplateBuilds } from '../templates/template-builds.js';
import { BUILTIN_TEMPLATES, resolveTemplate } from '../templates/template-catalog.js';
import { imageSize, listTemplateImages, type TemplateEngine } from '../templates/template-images.js';
import type { CliIo } from './cli-io.js';
import { table } from './format.js';

/** The state dir of template builds: `$SBX_HOME/templates` (default `~/.sbx/templates`). */
export function templateStateDir(env: NodeJS.ProcessEnv): string {
  return join(env.SBX_HOME?.trim() || join(homedir(), '.sbx'), 'templates');
}

/** `sbx template build FILE|NAME|--all` and `sbx template ls`. */
export function templateCommand(io: CliIo): Command {
  const command = new Command('template').description(
    `build sandbox images from Debian offline (built in: ${BUILTIN_TEMPLATES.join(', ')}) and list them`,
  );
  command.addCommand(
    new Command('build')
      .description(
        'build templates (skipped when their content hash is already built); needs root and debootstrap',
      )
      .argument('[templates...]', 'a built-in name or a template .json file')
      .option('--all', `build every built-in template (${BUILTIN_TEMPLATES.join(', ')})`)
      .option('--cache-dir <dir>', 'the package cache shared between builds (env SBX_TEMPLATE_CACHE)')
      .option('--json', 'print one JSON line per step and per build')
      .addHelpText(
        'after',
        '\nExample:\n  sudo sbx template build --all\n  sudo sbx template build ./my-template.json',
      )
      .action(async (refs: string[], opts: { all?: boolean; cacheDir?: string; json?: boolean }) => {
        const names = opts.all ? [...BUILTIN_TEMPLATES, ...refs] : refs;
        if (names.length === 0) {
          throw new AgentHostError('INVALID_FLAG', 'give a template name or file, or --all');
        }
        const templates = names.map(resolveTemplate); // every file is checked before anything is built
        const state = templateStateDir(io.env);
        const engine = dockerClient(io.env.DOCKER_HOST) as unknown as TemplateEngine;
        const builds = new TemplateBuilds(join(state, 'builds.json'));
        const deps: TemplateBuilderDeps = {
          run: runCommand,
          imageSize: (image) => imageSize(engine, image),
          workDir: join(state, 'work'),
          cacheDir: opts.cacheDir ?? (io.env.SBX_TEMPLATE_CACHE?.trim() || join(state, 'cache')),
          now: () => performance.now(),
          wallNow: () => new Date(),
          isRoot: () => process.getuid?.() === 0,
        };
        for (const template of templates) {
          const build = await buildTemplate(template, deps, {
            onProgress: (p) => progress(io, p, opts.json),
          });
          builds.add(build);
          io.stdout.write(
            opts.json
              ? `${JSON.stringify({ build })}\n`
              : `${build.skipped ? 'up to date' : 'built'} ${build.image} (${mib(build.sizeBytes)}) in ${ms(build.totalMs)}\n`,
          );
        }
      }),
  );
  command.addCommand(
    new Command('ls')
      .description('the templates built on this engine: size, hash, last build time')
      .option('--json', 'print JSON')
      .action(async (opts: { json?: boolean }) => {
        const engine = dockerClient(io.env.DOCKER_HOST) as unknown as TemplateEngine;
        const built = new TemplateBuilds(join(templateStateDir(io.env), 'builds.json')).lastBuilt();
        const images = (await listTemplateImages(engine)).map((image) => ({
          ...image,
          buildMs: built.get(`sbx-template/${image.name}:${image.hash}`)?.totalMs,
        }));
        if (opts.json) {
          io.stdout.write(`${JSON.stringify({ templates: images })}\n`);
          return;
        }
        const rows = images.map((t) => [
          t.name,
          t.hash ?? '-',
          mib(t.sizeBytes),
          t.buildMs === undefined ? '-' : ms(t.buildMs),
          t.createdAt,
        ]);
        io.stdout.write(`${table([['NAME', 'HASH', 'SIZE', 'BUILD', 'CREATED'], ...rows])}\n`);
      }),
  );
  return command;
}

function progress(io: CliIo, p: BuildProgress, json: boolean | undefined): void {
  if (json) {
    io.stdout.write(`${JSON.stringify(p)}\n`);
    return;
  }
  const step = `[${BUILD_PHASES.indexOf(p.phase) + 1}/${BUILD_PHASES.length}]`;
  if (p.event === 'start') io.stderr.write(`${p.template} ${step} ${p.phase} ...\n`);
  else if (p.event === 'done') io.stderr.write(`${p.template} ${step} ${p.phase} done in ${ms(p.ms)}\n`);
  else io.stderr.write(`${p.template} sbx-template/${p.template}:${p.hash} is already built: skipped\n`);
}

// Build steps take seconds to minutes: seconds with one decimal.
function ms(value: number | undefined): string {
  return value === undefined ? '-' : `${(value / 1000).toFixed(1)} s`;
}

function mib(bytes: number | undefined): string {
  return bytes === undefined ? '-' : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentHostError } from '../errors.js';
import { aptCommands, keepArchives, seedArchives } from './apt-in-chroot.js';
import { archiveFor } from './apt-sources.js';
import { BUILD_PHASES, type BuildPhase, type BuildProgress } from './build-progress.js';
import { minbaseRootfs } from './minbase-rootfs.js';
import { prepareRootfs } from './prepare-rootfs.js';
import type { RunCommand } from './run-command.js';
import { type ResolvedTemplate, templateImage } from './template-catalog.js';
import type { TemplateDefinition } from './template-schema.js';

export { BUILD_PHASES, type BuildPhase, type BuildProgress };

/** What one build did: its image, whether it was skipped (the hash was built), its phase times and size. */
export interface TemplateBuild {
  name: string;
  hash: string;
  image: string;
  source: string;
  startedAt: string;
  skipped: boolean;
  phasesMs: Partial<Record<BuildPhase, number>>;
  totalMs: number;
  sizeBytes: number | undefined;
}

/** What the builder needs: programs, the engine's images, where it works, and the clocks. */
export interface TemplateBuilderDeps {
  run: RunCommand;
  /** The size of a local image in bytes, or undefined when the engine has none by that name. */
  imageSize(image: string): Promise<number | undefined>;
  /** Where rootfs trees are built (removed after) and the shared package cache lives. */
  workDir: string;
  cacheDir: string;
  now(): number;
  wallNow(): Date;
  /** True when this process may run debootstrap and chroot (root). */
  isRoot(): boolean;
  /** The archive for a suite from the host's apt configuration; undefined lets debootstrap choose. */
  archiveFor?: (suite: string) => string | undefined;
}

/**
 * Builds a template's image, or skips it when `sbx-template/NAME:HASH` is already on the engine (then only
 * `NAME:latest` is pointed at it). The suite's minbase rootfs (debootstrap, or its copy in the cache from an
 * earlier build: `minbaseRootfs`); apt in the chroot adds the packages (through the
 * same cache); the rootfs gets its user and files, is imported with its image config, and the optional
 * Dockerfile steps are built FROM it by the engine.
 */
export async function buildTemplate(
  template: ResolvedTemplate,
  deps: TemplateBuilderDeps,
  options: { signal?: AbortSignal; onProgress?: (p: BuildProgress) => void } = {},
): Promise<TemplateBuild> {
  const { definition: t, hash } = template;
  const started = deps.now();
  const phasesMs: TemplateBuild['phasesMs'] = {};
  const report = (phase: BuildPhase, event: BuildProgress['event'], ms?: number) =>
    options.onProgress?.({ template: t.name, hash, phase, event, ...(ms === undefined ? {} : { ms }) });
  const timed = async (phase: BuildPhase, fn: () => Promise<void> | void) => {
    report(phase, 'start');
    const at = deps.now();
    await fn();
    const took = Math.round(deps.now() - at);
    phasesMs[phase] = (phasesMs[phase] ?? 0) + took; // download and configure run twice: minbase, then packages
    report(phase, 'done', took);
  };
  const image = templateImage(t.name, hash);
  const run = (argv: string[], more: { pipeFrom?: string[]; onLine?: (line: string) => void } = {}) =>
    deps.run(argv, { ...(options.signal ? { signal: options.signal } : {}), ...more });
  const result = (skipped: boolean, sizeBytes: number | undefined): TemplateBuild => ({
    name: t.name,
    hash,
    image,
    source: template.source,
    startedAt: startedAt.toISOString(),
    skipped,
    phasesMs,
    totalMs: Math.round(deps.now() - started),
    sizeBytes,
  });
  const startedAt = deps.wallNow();
  let archive: string | undefined;
  let existing: number | undefined;
  await timed('resolve', async () => {
    existing = await deps.imageSize(image);
    archive = (deps.archiveFor ?? archiveFor)(t.suite);
  });
  if (existing !== undefined) {
    await run(['docker', 'tag', image, templateImage(t.name)]);
    report('resolve', 'skipped');
    return result(true, existing);
  }
  if (!deps.isRoot()) {
    throw new AgentHostError(
      'TEMPLATE_BUILD_FAILED',
      `building template ${t.name} runs debootstrap and chroot, which need root: run it as root (sudo sbx template build ${t.name}); using a built template needs no root`,
    );
  }
  const work = join(deps.workDir, `${t.name}-${hash}-${process.pid}`);
  const root = join(work, 'rootfs');
  mkdirSync(root, { recursive: true });
  mkdirSync(deps.cacheDir, { recursive: true });
  try {
    await minbaseRootfs(
      { suite: t.suite, root, archive, cacheDir: deps.cacheDir },
      { run, timed, phasesMs, report, now: deps.now },
    );
    // The template's packages, with apt inside the rootfs (its archive is the one debootstrap wrote there).
    if (t.packages.length > 0) {
      const apt = aptCommands(root, t.packages);
      rmSync(join(root, 'etc/resolv.conf'), { force: true }); // never through a link the rootfs holds
      copyFileSync('/etc/resolv.conf', join(root, 'etc/resolv.conf'));
      seedArchives(root, deps.cacheDir);
      await timed('download', async () => {
        await run(apt.update);
        await run(apt.download);
        keepArchives(root, deps.cacheDir);
      });
      await timed('configure', () => run(apt.install));
    }
    await timed('configure', () => prepareRootfs(root, t));
    const steps = t.dockerfile?.trim();
    const imported = steps ? templateImage(t.name, `${hash}-rootfs`) : image;
    await timed('import', () =>
      run(['docker', 'import', ...importChanges(t, hash).flatMap((c) => ['--change', c]), '-', imported], {
        pipeFrom: ['tar', '--numeric-owner', '-C', root, '-c', '.'],
      }),
    );
    await timed('layer', async () => {
      if (!steps) return;
      const context = join(work, 'context');
      mkdirSync(context, { recursive: true });
      const user = t.user.name;
      writeFileSync(join(context, 'Dockerfile'), `FROM ${imported}\nUSER root\n${steps}\nUSER ${user}\n`);
      await run(['docker', 'build', '--pull=false', '-q', '-t', image, context]);
      await run(['docker', 'image', 'rm', imported]); // only the tag: its layers stay under the built image
    });
    await run(['docker', 'tag', image, templateImage(t.name)]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return result(false, await deps.imageSize(image));
}

/** The image config a template's rootfs is imported with (`docker import --change`). */
export function importChanges(t: TemplateDefinition, hash: string): string[] {
  return [
    `CMD ${JSON.stringify(t.cmd)}`,
    ...Object.entries({ HOME: t.user.home, ...t.env }).map(([k, v]) => `ENV ${k}=${quote(v)}`),
    `USER ${t.user.name}`,
    `WORKDIR ${t.workingDir ?? t.user.home}`,
    `LABEL sbx.template=${quote(t.name)} sbx.template.hash=${quote(hash)} sbx.template.ready=${quote(t.ready)}`,
    `LABEL sbx.template.home=${quote(t.user.home)} sbx.template.uid="${t.user.uid}"`,
  ];
}

// A Dockerfile double-quoted word: backslash, quote and $ escaped (the schema forbids newlines in values).
function quote(value: string): string {
  return `"${value.replace(/[\\"$]/g, (c) => `\\${c}`)}"`;
}

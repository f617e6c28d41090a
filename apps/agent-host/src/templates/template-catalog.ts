import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { AgentHostError } from '../errors.js';
import {
  parseTemplate,
  TEMPLATE_LIMITS,
  TEMPLATE_NAME,
  TEMPLATE_REPOSITORY,
  type TemplateDefinition,
} from './template-schema.js';

/** The templates shipped with sbx (`apps/agent-host/templates/NAME.json`); `sbx template build --all` builds them. */
export const BUILTIN_TEMPLATES = Object.freeze(['base', 'node', 'python'] as const);

/** Bumped when the way a rootfs is built changes, so every template's hash (and image) changes with it. */
export const TEMPLATE_RECIPE_VERSION = 2;

/** A template ready to build: its definition, where it came from, and its content hash. */
export interface ResolvedTemplate {
  definition: TemplateDefinition;
  /** `built-in NAME` or the file's path. */
  source: string;
  /** 16 hex digits of the SHA-256 of everything the image is built from. */
  hash: string;
}

/** The image a template is built as: `sbx-template/NAME:TAG` (`latest` or its hash). */
export function templateImage(name: string, tag = 'latest'): string {
  return `${TEMPLATE_REPOSITORY}/${name}:${tag}`;
}

/** What `sbx template build NAME` runs: the text a 400 for an unbuilt template names. */
export function buildCommandFor(name: string): string {
  return (BUILTIN_TEMPLATES as readonly string[]).includes(name)
    ? `sbx template build ${name}`
    : `sbx template build ${name}.json`;
}

/**
 * Resolves `FILE|NAME`: an existing `.json` path is read (at most `TEMPLATE_LIMITS.fileBytes`), anything else
 * must be a built-in name. Throws `INVALID_CONFIG` naming the file or listing the built-ins.
 */
export function resolveTemplate(ref: string): ResolvedTemplate {
  if (ref.endsWith('.json') || ref.includes('/')) {
    if (!existsSync(ref)) throw new AgentHostError('INVALID_CONFIG', `template file ${ref} does not exist`);
    if (statSync(ref).size > TEMPLATE_LIMITS.fileBytes) {
      throw new AgentHostError(
        'INVALID_CONFIG',
        `template ${ref}: is larger than ${TEMPLATE_LIMITS.fileBytes} bytes`,
      );
    }
    const definition = parseTemplate(readFileSync(ref, 'utf8'), ref);
    return { definition, source: ref, hash: templateHash(definition) };
  }
  if (!(BUILTIN_TEMPLATES as readonly string[]).includes(ref)) {
    throw new AgentHostError(
      'INVALID_CONFIG',
      `template ${JSON.stringify(ref)} is not built in (${BUILTIN_TEMPLATES.join(', ')}): give one of them or a template .json file`,
    );
  }
  const text = readFileSync(new URL(`../../templates/${ref}.json`, import.meta.url), 'utf8');
  const definition = parseTemplate(text, `built-in ${ref}`);
  return { definition, source: `built-in ${ref}`, hash: templateHash(definition) };
}

/** True when `name` could be a template (the `template` field's check). */
export function isTemplateName(name: string): boolean {
  return TEMPLATE_NAME.test(name);
}

/**
 * The content hash of a template: the suite, the sorted package list, the files, the image config and the
 * Dockerfile steps, plus the recipe version. The description does not count; the name does (it is in the image).
 */
export function templateHash(t: TemplateDefinition): string {
  const canonical = JSON.stringify({
    recipe: TEMPLATE_RECIPE_VERSION,
    name: t.name,
    suite: t.suite,
    packages: [...new Set(t.packages)].sort(),
    files: [...t.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    env: Object.entries(t.env).sort(([a], [b]) => (a < b ? -1 : 1)),
    workingDir: t.workingDir ?? null,
    user: t.user,
    cmd: t.cmd,
    ready: t.ready,
    dockerfile: t.dockerfile ?? null,
  });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

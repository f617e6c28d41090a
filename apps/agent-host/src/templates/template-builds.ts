import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TemplateBuild } from './template-builder.js';

/** How many builds the file keeps (the newest): it never grows past this. */
export const MAX_KEPT_BUILDS = 200;

/**
 * The table of template builds: a JSON file in the state dir (`$SBX_HOME/templates/builds.json`). A file and
 * not the KPI database: builds belong to this machine's engine, as the images do, and a fleet's shared
 * PostgreSQL would mix hosts whose images differ. Written whole through a rename, so a crash keeps the old one.
 */
export class TemplateBuilds {
  readonly #path: string;

  /** `path`: the JSON file (created on the first build). */
  constructor(path: string) {
    this.#path = path;
  }

  /** Every kept build, oldest first; an absent or unreadable file is no builds. */
  list(): TemplateBuild[] {
    try {
      const json: unknown = JSON.parse(readFileSync(this.#path, 'utf8'));
      return Array.isArray(json) ? (json as TemplateBuild[]) : [];
    } catch {
      return [];
    }
  }

  /** Appends a build, dropping the oldest past `MAX_KEPT_BUILDS`. */
  add(build: TemplateBuild): void {
    const builds = [...this.list(), build].slice(-MAX_KEPT_BUILDS);
    mkdirSync(dirname(this.#path), { recursive: true });
    const temp = `${this.#path}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(builds, null, 2)}\n`);
    renameSync(temp, this.#path);
  }

  /** The last build that produced (not skipped) each `name:hash`. */
  lastBuilt(): Map<string, TemplateBuild> {
    const byImage = new Map<string, TemplateBuild>();
    for (const build of this.list()) if (!build.skipped) byImage.set(build.image, build);
    return byImage;
  }
}

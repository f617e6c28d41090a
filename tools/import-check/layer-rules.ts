import { isTestPath, type ModuleNode } from './import-graph.js';

/** Which workspace packages a package may import (`@sbx/<name>`); nothing imports an app. */
export const PACKAGE_DEPENDENCIES: Readonly<Record<string, readonly string[]>> = {
  timing: [],
  store: ['timing'],
  bootstrap: ['timing'],
  client: [],
  'agent-host': ['timing', 'store', 'bootstrap', 'client'],
};

/**
 * The agent host's layers, highest first: a module may import its own layer's folder and any lower layer,
 * never a higher one. Doors are the front doors (HTTP, CLI, the library entry, other protocols); compose
 * wires; core and kinds hold the sandbox logic; leaves are everything else (telemetry, alerts, reports...).
 */
export const AGENT_HOST_LAYERS: readonly { layer: string; folders: readonly string[] }[] = [
  { layer: 'doors', folders: ['cli.ts', 'cli', 'http', 'e2b', 'bench', 'index.ts'] },
  { layer: 'compose', folders: ['compose'] },
  { layer: 'service', folders: ['service'] },
  { layer: 'core/kinds', folders: ['core', 'kinds'] },
  { layer: 'leaves', folders: [] },
];

/** Imports allowed between two folders of one layer (the rest of a layer's folders import one another freely). */
const SAME_LAYER_FORBIDDEN: readonly [from: string, to: string][] = [
  ['http', 'cli'],
  ['http', 'cli.ts'],
  ['e2b', 'cli'],
  ['e2b', 'cli.ts'],
  ['core', 'kinds'],
];

const AGENT_HOST_SRC = 'apps/agent-host/src/';

function packageOf(path: string): string | undefined {
  return /^(?:packages|apps)\/([^/]+)\//.exec(path)?.[1];
}

function folderOf(path: string): string {
  return path.slice(AGENT_HOST_SRC.length).split('/')[0] as string;
}

function layerRank(folder: string): number {
  const i = AGENT_HOST_LAYERS.findIndex((l) => l.folders.includes(folder));
  return i === -1 ? AGENT_HOST_LAYERS.length - 1 : i;
}

/** One broken rule, as a line a maintainer can act on. */
export function layerViolations(nodes: readonly ModuleNode[]): string[] {
  const out: string[] = [];
  for (const { path, imports } of nodes) {
    const pkg = packageOf(path);
    if (!pkg) continue;
    for (const target of imports) {
      if (target.startsWith('@sbx/')) {
        const to = target.slice('@sbx/'.length).split('/')[0] as string;
        if (to !== pkg && !(PACKAGE_DEPENDENCIES[pkg] ?? []).includes(to)) {
          out.push(`${path} imports ${target}: @sbx/${pkg} may import only ${listOf(pkg)}`);
        }
        continue;
      }
      const targetPkg = packageOf(target);
      if (targetPkg !== pkg && !isTestPath(path)) {
        out.push(`${path} imports ${target}: a package reaches another only by its name (@sbx/...)`);
        continue;
      }
      if (pkg !== 'agent-host' || isTestPath(path) || !path.startsWith(AGENT_HOST_SRC)) continue;
      const from = folderOf(path);
      const to = folderOf(target);
      if (from === to) continue;
      const [rf, rt] = [layerRank(from), layerRank(to)];
      const forbidden = SAME_LAYER_FORBIDDEN.some(([a, b]) => a === from && b === to);
      if (rt < rf || forbidden) {
        const what = forbidden
          ? `${from}/ must not import ${to}`
          : `${layerName(rf)} must not import ${layerName(rt)}`;
        out.push(
          `${path} imports ${target}: ${what} (layers: doors -> compose -> service -> core, kinds -> leaves)`,
        );
      }
    }
  }
  return out;
}

function layerName(rank: number): string {
  return AGENT_HOST_LAYERS[rank]?.layer ?? 'leaves';
}

function listOf(pkg: string): string {
  const deps = PACKAGE_DEPENDENCIES[pkg] ?? [];
  return deps.length === 0 ? 'no other @sbx package' : deps.map((d) => `@sbx/${d}`).join(', ');
}

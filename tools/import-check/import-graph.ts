import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** One module of the graph: its repo-relative path and what it imports (repo-relative paths or `@sbx/...`). */
export interface ModuleNode {
  path: string;
  imports: string[];
  /** The third-party and built-in modules it imports (`commander`, `node:fs`). */
  externals: string[];
}

/** Whether a repo-relative path is a test or a test helper (exempt from the layer rules, not from cycles). */
export function isTestPath(path: string): boolean {
  return (
    /\.test(-support)?\.ts$/.test(path) ||
    path.split('/').includes('testing') ||
    /(^|\/)testing\.ts$/.test(path)
  );
}

function walk(dir: string, out: string[]): void {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(full);
  }
}

function resolveRelative(fromFile: string, spec: string): string | undefined {
  const base = resolve(dirname(fromFile), spec);
  const candidates = [
    base.replace(/\.js$/, '.ts'),
    base.replace(/\.mjs$/, '.mts'),
    `${base}.ts`,
    join(base, 'index.ts'),
  ];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/**
 * Reads every `.ts` source under `<root>/{packages,apps}/<name>/src` (tests included) and lists its imports:
 * static, type-only, re-exports and dynamic `import()`, as the TypeScript scanner sees them.
 */
export function readImportGraph(root: string): ModuleNode[] {
  const files: string[] = [];
  for (const group of ['packages', 'apps']) {
    const groupDir = join(root, group);
    if (!existsSync(groupDir)) continue;
    for (const name of readdirSync(groupDir)) {
      const src = join(groupDir, name, 'src');
      if (existsSync(src)) walk(src, files);
    }
  }
  const toRepo = (abs: string) => relative(root, abs).split(sep).join('/');
  return files.map((file) => {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const imports: string[] = [];
    const externals: string[] = [];
    for (const { fileName } of info.importedFiles) {
      if (fileName.startsWith('.')) {
        const target = resolveRelative(file, fileName);
        if (target) imports.push(toRepo(target));
      } else if (fileName.startsWith('@sbx/')) {
        imports.push(fileName);
      } else {
        externals.push(fileName);
      }
    }
    return { path: toRepo(file), imports, externals };
  });
}

/** Every import cycle, one per strongly connected component (Tarjan), each shown as a closed path. */
export function findCycles(nodes: readonly ModuleNode[]): string[][] {
  const edges = new Map(nodes.map((n) => [n.path, n.imports.filter((i) => !i.startsWith('@'))]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (edges.get(v) ?? []).includes(v)) components.push(component);
    }
  };
  for (const v of [...edges.keys()].sort()) if (!index.has(v)) visit(v);
  return components.map((c) => shortestCycle(c.sort(), edges, new Set(c)));
}

function shortestCycle(component: string[], edges: Map<string, string[]>, inside: Set<string>): string[] {
  const start = component[0] as string;
  const prev = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const v = queue[i] as string;
    for (const w of edges.get(v) ?? []) {
      if (!inside.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(prev.get(path[0] as string) as string);
        return [...path, start];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

/** The modules `from` loads, itself included (type-only imports counted: an over-estimate, never an under-). */
export function reachableFrom(nodes: readonly ModuleNode[], from: string): ModuleNode[] {
  const byPath = new Map(nodes.map((n) => [n.path, n]));
  const seen = new Map<string, ModuleNode>();
  const stack = [from];
  while (stack.length > 0) {
    const node = byPath.get(stack.pop() as string);
    if (!node || seen.has(node.path)) continue;
    seen.set(node.path, node);
    stack.push(...node.imports.filter((i) => !i.startsWith('@')));
  }
  return [...seen.values()];
}

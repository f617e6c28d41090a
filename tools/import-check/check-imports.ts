// `pnpm lint` runs this: it fails on any import cycle in the workspace's sources or any import that breaks the
// package graph or the agent host's layers (see layer-rules.ts). `tsx tools/import-check/check-imports.ts DIR`
// checks another checkout (the test plants a cycle in a copy).
import { fileURLToPath } from 'node:url';
import { findCycles, readImportGraph } from './import-graph.js';
import { layerViolations } from './layer-rules.js';

/** The lines to print for `root`: one per cycle and per broken layer rule; empty when all is well. */
export function checkImports(root: string): string[] {
  const graph = readImportGraph(root);
  const cycles = findCycles(graph).map((cycle) => `import cycle: ${cycle.join(' -> ')}`);
  return [...cycles, ...layerViolations(graph)];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = process.argv[2] ?? fileURLToPath(new URL('../../', import.meta.url));
  const problems = checkImports(root);
  for (const line of problems) console.error(line);
  if (problems.length > 0) {
    console.error(
      `${problems.length} import problem(s): move the shared type or helper one layer down (docs/architecture.md)`,
    );
    process.exit(1);
  }
  console.log('imports: no cycles, every import points down its layers');
}

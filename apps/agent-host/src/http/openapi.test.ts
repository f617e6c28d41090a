// The contract: GET /openapi.json is a valid OpenAPI 3.1 document, it describes exactly the routes the app
// serves, and @sbx/client's committed copy and generated types are what this document gives today.
// `SBX_UPDATE_CLIENT_TYPES=1` rewrites those two files (pnpm gen:client).
import { readFileSync, writeFileSync } from 'node:fs';
import { compileErrors, validate } from '@readme/openapi-parser';
import openapiTS, { astToString } from 'openapi-typescript';
import { describe, expect, it, vi } from 'vitest';
import { TokenTable } from '../auth/token-file.js';
import { createTestHost } from '../compose/testing/create-test-host.js';
import { createApp } from './create-app.js';
import { openApiPath } from './openapi.js';

const CLIENT = new URL('../../../../packages/client/', import.meta.url);
const TYPES_HEADER =
  "// Generated from the agent host's GET /openapi.json by openapi-typescript: do not edit.\n// Regenerate with `pnpm gen:client` (a test fails when this file is stale).\n\n";

async function served() {
  const testHost = await createTestHost({ adapters: {}, logger: { warn: vi.fn(), error: vi.fn() } });
  const { kpis, perf, host, config } = testHost;
  const auth = { tokens: new TokenTable([{ tenant: 'a', token: 'a'.repeat(32) }]), sessions: {} as never };
  const app = createApp({ kpis, perf, host, config }, { auth });
  const response = await app.request('/openapi.json');
  return {
    app,
    response,
    doc: (await response.json()) as Record<string, unknown>,
    close: () => testHost.close(),
  };
}

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document, served without a token, with bearer auth', async () => {
    const { response, doc, close } = await served();
    expect(response.status).toBe(200);
    expect(doc.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid ? '' : compileErrors(result)).toBe('');
    expect((doc.components as { securitySchemes: unknown }).securitySchemes).toEqual({
      bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    });
    await close();
  });

  it('describes exactly the routes the app serves (fails on drift either way)', async () => {
    const { app, doc, close } = await served();
    const servedRoutes = new Set(
      app.routes
        // The E2B door speaks E2B's API (its own published spec; docs/e2b.md), not sbx's.
        .filter((r) => r.method !== 'ALL' && !r.path.startsWith('/e2b/'))
        .map((r) => `${r.method.toLowerCase()} ${openApiPath(r.path)}`),
    );
    const documented = new Set(
      Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
        Object.keys(ops).map((method) => `${method} ${path}`),
      ),
    );
    expect([...servedRoutes].filter((r) => !documented.has(r))).toEqual([]);
    expect([...documented].filter((r) => !servedRoutes.has(r))).toEqual([]);
    await close();
  });

  it('documents each /v1 route with its errors and the request schemas the routes validate with', async () => {
    const { doc, close } = await served();
    const paths = doc.paths as Record<
      string,
      Record<string, { responses: Record<string, unknown>; requestBody?: unknown }>
    >;
    for (const [path, ops] of Object.entries(paths)) {
      if (!path.startsWith('/v1/')) continue;
      for (const op of Object.values(ops)) expect(Object.keys(op.responses)).toContain('401');
    }
    const exec = paths['/v1/sandboxes/{id}/exec']?.post;
    if (!exec) throw new Error('POST /v1/sandboxes/{id}/exec is not documented');
    expect(JSON.stringify(exec.requestBody)).toContain('"stdin"');
    expect(Object.keys((exec.responses['200'] as { content: object }).content)).toEqual([
      'application/json',
      'application/x-ndjson',
    ]);
    await close();
  });

  it("@sbx/client's openapi.json and types.ts are what the document generates today", async () => {
    const { doc, close } = await served();
    await close();
    const json = `${JSON.stringify(doc, null, 2)}\n`;
    const types = TYPES_HEADER + astToString(await openapiTS(structuredClone(doc) as never));
    const jsonFile = new URL('openapi.json', CLIENT);
    const typesFile = new URL('src/types.ts', CLIENT);
    if (process.env.SBX_UPDATE_CLIENT_TYPES === '1') {
      writeFileSync(jsonFile, json);
      writeFileSync(typesFile, types);
    }
    expect(readFileSync(jsonFile, 'utf8'), 'run pnpm gen:client').toBe(json);
    expect(readFileSync(typesFile, 'utf8'), 'run pnpm gen:client').toBe(types);
    // openapi-typescript over the whole document takes seconds on a busy 2-core machine
  }, 60_000);
});

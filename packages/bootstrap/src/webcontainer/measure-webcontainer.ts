import { type Logger, SandboxProvisioner, SLA_LIMITS } from '@sbx/timing/browser';
import { type ProvisionIngestPayload, toIngestPayload } from './ingest-payload.js';
import type { WebContainerGlobals, WebContainerSpec } from './preflight.js';
import { WebContainerAdapter } from './webcontainer-adapter.js';
import type { WebContainerApi } from './webcontainer-api.js';
import { messageOf } from './webcontainer-handle.js';

/** Options of `measureWebContainer()`. */
export interface MeasureWebContainerOptions {
  /** `@webcontainer/api` or the fake, as the page's import map resolved it. */
  module: WebContainerApi;
  spec: WebContainerSpec;
  /** Where the result is POSTed as JSON, e.g. `/v1/provisions`. */
  ingestUrl: string;
  fetch?: typeof fetch;
  /** The provisioning deadline; the WebContainer SLA (10 s) by default. */
  deadlineMs?: number;
  bootTimeoutMs?: number;
  readyTimeoutMs?: number;
  /** Read for cross-origin isolation and given the outcome as `__sbxResult`; `globalThis` by default. */
  globals?: WebContainerGlobals & { __sbxResult?: WebContainerMeasurement };
  /** Keep the WebContainer running after measuring (default: dispose it). */
  keep?: boolean;
  logger?: Logger;
}

/** What a page measured and whether the host took it; also published as `window.__sbxResult`. */
export interface WebContainerMeasurement {
  payload: ProvisionIngestPayload;
  ingest: { ok: boolean; status?: number; error?: string };
  crossOriginIsolated: boolean;
}

/** Provisions one WebContainer inside the page's own `SandboxProvisioner` and POSTs the result to the host. */
export async function measureWebContainer(
  options: MeasureWebContainerOptions,
): Promise<WebContainerMeasurement> {
  const globals = options.globals ?? (globalThis as NonNullable<MeasureWebContainerOptions['globals']>);
  const post = options.fetch ?? globalThis.fetch.bind(globalThis);
  let payload: ProvisionIngestPayload | undefined;
  let ingest: WebContainerMeasurement['ingest'] = { ok: false, error: 'not sent' };
  const recorder = {
    record: async (result: Parameters<typeof toIngestPayload>[0]) => {
      payload = toIngestPayload(result);
      ingest = await send(post, options.ingestUrl, payload);
      if (!ingest.ok) throw new Error(`ingest at ${options.ingestUrl} failed: ${ingest.error}`);
    },
  };
  const provisioner = new SandboxProvisioner({
    recorder,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  const adapter = new WebContainerAdapter({
    module: options.module,
    globals,
    ...(options.bootTimeoutMs === undefined ? {} : { bootTimeoutMs: options.bootTimeoutMs }),
    ...(options.readyTimeoutMs === undefined ? {} : { readyTimeoutMs: options.readyTimeoutMs }),
  });
  try {
    const result = await provisioner.provision({
      type: 'webcontainer',
      deadlineMs: options.deadlineMs ?? SLA_LIMITS.webcontainer,
      bootstrapFn: (ctx) => adapter.provision(options.spec, ctx),
    });
    if (!options.keep) await result.value.dispose();
  } catch {
    // The failure is in the recorded payload; the page reports it instead of throwing.
  }
  const measurement: WebContainerMeasurement = {
    payload: payload ?? missingPayload(),
    ingest,
    crossOriginIsolated: globals.crossOriginIsolated === true,
  };
  globals.__sbxResult = measurement;
  return measurement;
}

async function send(
  post: typeof fetch,
  url: string,
  payload: ProvisionIngestPayload,
): Promise<WebContainerMeasurement['ingest']> {
  try {
    const response = await post(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    if (response.ok) return { ok: true, status: response.status };
    const text = (await response.text().catch(() => '')).slice(0, 500);
    return { ok: false, status: response.status, error: `HTTP ${response.status}${text ? `: ${text}` : ''}` };
  } catch (error) {
    return { ok: false, error: messageOf(error) };
  }
}

// Only reachable if the provisioner rejected before recording (a programming error), kept visible to the driver.
function missingPayload(): ProvisionIngestPayload {
  return {
    sandboxType: 'webcontainer',
    durationMs: 0,
    status: 'sla_breach',
    timestamp: new Date().toISOString(),
    phases: [],
    error: { name: 'Error', message: 'the provisioner produced no result' },
  };
}

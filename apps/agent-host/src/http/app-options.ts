import type { PreviewSigner } from '../auth/preview-signer.js';
import type { HeavyReadOptions } from './heavy-read-routes.js';
import type { AuthOptions } from './request-guard.js';

/** Options of the HTTP API. */
export interface AppOptions {
  /** Origins of browser apps allowed to POST measurements to `/v1/provisions` (CORS); none by default. */
  corsOrigins?: readonly string[];
  /**
   * How callers authenticate (`sbx serve` always sets it). Without it every request is tenant `default`:
   * only for an app that is not reachable by anyone else (tests, an in-process host).
   */
  auth?: AuthOptions;
  /** Host names besides loopback (and the listening address) that requests may name; others get 421. */
  allowedHosts?: readonly string[];
  /** Serve `/metrics` without a token (default: a token is needed, as for `/v1/*`). */
  metricsOpen?: boolean;
  /** How `/metrics` and `/v1/kpis` are shared among callers and capped (defaults: 1 s gap, 32 in flight). */
  heavyReads?: HeavyReadOptions;
  /**
   * The source of measurements posted to `/v1/provisions`: `client` by default (any token holder could forge
   * them, so they are shown apart and never judged). Only an in-process host whose one caller is the page it
   * drives itself with a one-off token (`sbx provision webcontainer`) says `cold`: it took those measurements.
   */
  ingestSource?: 'client' | 'cold';
  /**
   * Signs and checks preview URLs (`sbx serve` keeps its secret in the state dir); default a signer with a
   * secret of this process only (its URLs die with it).
   */
  previewSigner?: PreviewSigner;
  /**
   * The E2B door's `domain` setting (returned to the SDK for `getHost()`); with it, a request to
   * `PORT-ID.DOMAIN` is that sandbox's preview port (see preview-host.ts and docs/e2b.md).
   */
  e2bDomain?: string;
}

// How the engine answers a pull that the registry refuses or cannot serve: dockerode rejects with the engine's
// HTTP status and text (Docker 20.10 answers these before any progress line). The texts are the engine's own,
// with the image's host in them: what a caller would read if sbx passed them on.
import { httpError } from './fake-helpers.js';

/** Ways a registry pull fails: some can never succeed, some may on a later try. */
export type FakePullFailure =
  | 'not-found'
  | 'manifest-unknown'
  | 'unauthorized'
  | 'denied'
  | 'no-such-host'
  | 'connection-refused'
  | 'timeout'
  | 'too-many-requests';

/** The error the engine gives for pulling `image` when the registry fails as `kind` says. */
export function pullError(kind: FakePullFailure, image: string): Error {
  const slash = image.indexOf('/');
  const first = slash > 0 ? image.slice(0, slash) : '';
  // A first component with a dot, a port or `localhost` is a registry; else the engine's default registry.
  const host = /[.:]|^localhost$/.test(first) ? first : 'registry.invalid';
  const repo = (host === first ? image.slice(slash + 1) : image).replace(/[:@].*$/, '');
  const v2 = `https://${host}/v2/`;
  switch (kind) {
    case 'not-found':
      return httpError(
        404,
        `pull access denied for ${repo}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`,
      );
    case 'manifest-unknown':
      return httpError(404, `manifest for ${image} not found: manifest unknown: manifest unknown`);
    case 'unauthorized':
      return httpError(500, `Head "${v2}${repo}/manifests/latest": unauthorized: authentication required`);
    case 'denied':
      return httpError(
        500,
        `Head "${v2}${repo}/manifests/latest": denied: requested access to the resource is denied`,
      );
    case 'no-such-host':
      return httpError(
        500,
        `Get "${v2}": dial tcp: lookup ${host.replace(/:\d+$/, '')} on 127.0.0.53:53: no such host`,
      );
    case 'connection-refused':
      return httpError(500, `Get "${v2}": dial tcp ${host}: connect: connection refused`);
    case 'timeout':
      return httpError(
        500,
        `Get "${v2}": net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)`,
      );
    case 'too-many-requests':
      return httpError(
        500,
        `toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading`,
      );
  }
}

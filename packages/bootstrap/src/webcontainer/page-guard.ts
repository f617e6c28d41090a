import { BootstrapError } from '../errors.js';
import type { WebContainerClass } from './webcontainer-api.js';

// A page can hold one WebContainer per loaded `@webcontainer/api` module (its class keeps a static
// instance), so the reservation is keyed by that class: a fake module in a test gets its own.
const reservations = new WeakMap<WebContainerClass, symbol>();

/** Reserves the page's one WebContainer for a provisioning, or throws `ALREADY_BOOTED`; returns a release. */
export function reserveWebContainer(webContainer: WebContainerClass): () => void {
  if (reservations.has(webContainer)) {
    throw new BootstrapError(
      'ALREADY_BOOTED',
      'a WebContainer is already booted in this page: dispose() it before provisioning another',
      { phase: 'preflight' },
    );
  }
  const token = Symbol('webcontainer');
  reservations.set(webContainer, token);
  return () => {
    if (reservations.get(webContainer) === token) reservations.delete(webContainer);
  };
}

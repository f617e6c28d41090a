// Shaped like `@webcontainer/api` so a page's import map can swap it in for the real module
// (`"@webcontainer/api": "/assets/bootstrap/webcontainer/fake-webcontainer-api.js"`). It takes its
// scenario from the page's query string, e.g. `/webcontainer?fake=hang`.
import { fakeOptionsFromQuery } from './fake-options-from-query.js';
import { createFakeWebContainerApi } from './fake-webcontainer.js';

const fake = createFakeWebContainerApi(fakeOptionsFromQuery(globalThis.location?.search ?? ''));

/** The fake `WebContainer` class: `WebContainer.boot()` as configured by the page's query string. */
export const WebContainer = fake.WebContainer;

/** What this page's fake recorded (boots, teardowns, spawned command lines). */
export const stats = fake.stats;

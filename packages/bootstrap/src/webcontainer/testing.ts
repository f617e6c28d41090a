// `@sbx/bootstrap/webcontainer/testing`: a scriptable fake of `@webcontainer/api`, for your tests and offline
// demos. Browser-safe like `@sbx/bootstrap/webcontainer`. For an import map that swaps the fake in for the real
// module, use `@sbx/bootstrap/webcontainer/fake` (dist/webcontainer/fake-webcontainer-api.js) instead.
export { FAKE_SCENARIOS, fakeOptionsFromQuery } from './fake-options-from-query.js';
export {
  createFakeWebContainerApi,
  type FakeWebContainerApi,
  type FakeWebContainerOptions,
  type FakeWebContainerStats,
} from './fake-webcontainer.js';

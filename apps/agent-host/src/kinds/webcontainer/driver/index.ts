// The host side of WebContainer provisioning: the measuring page, its assets and the headless driver.
export {
  CHROMIUM_ARGS,
  DEFAULT_CHROMIUM_PATH,
  type DriverBrowser,
  type DriverPage,
  type DriveWebContainerOptions,
  driveWebContainerProvisions,
  type LaunchBrowser,
  pageUrl,
  type WebContainerDriveResult,
} from './headless-driver.js';
export { launchChromium } from './launch-chromium.js';
export {
  resolveWebContainerAsset,
  resolveWebContainerAssetRoots,
  serveWebContainerAsset,
  WEBCONTAINER_ASSET_HEADERS,
  type WebContainerAssetRoots,
} from './webcontainer-assets.js';
export {
  firstLine,
  WebContainerDriverError,
  type WebContainerDriverErrorCode,
} from './webcontainer-driver-error.js';
export {
  DEFAULT_WEBCONTAINER_SPEC,
  type HttpResponse,
  renderWebContainerPage,
  WEBCONTAINER_PAGE_HEADERS,
  type WebContainerPageOptions,
  webContainerImportMap,
} from './webcontainer-page.js';

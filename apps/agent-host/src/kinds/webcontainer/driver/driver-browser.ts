import type { WebContainerMeasurement } from '@sbx/bootstrap/webcontainer';

/** The subset of a playwright-core page the driver uses. */
export interface DriverPage {
  goto(url: string, options: { timeout: number; waitUntil: 'domcontentloaded' }): Promise<unknown>;
  waitForFunction(
    fn: () => unknown,
    arg: undefined,
    options: { timeout: number; polling: number },
  ): Promise<{ jsonValue(): Promise<unknown> }>;
  on(event: 'pageerror', listener: (error: Error) => void): unknown;
  on(event: 'console', listener: (message: { type(): string; text(): string }) => void): unknown;
}

/** The subset of a playwright-core browser the driver uses. */
export interface DriverBrowser {
  newContext(options?: {
    extraHTTPHeaders?: Record<string, string>;
  }): Promise<{ newPage(): Promise<DriverPage>; close(): Promise<void> }>;
  close(): Promise<void>;
}

/** One provision as the page measured it, and how long the driver waited for it. */
export interface WebContainerDriveResult {
  index: number;
  url: string;
  measurement: WebContainerMeasurement;
  /** Wall time from page load to result, as the driver saw it. */
  wallMs: number;
}

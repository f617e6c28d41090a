import type { DriverBrowser } from './driver-browser.js';
import { firstLine, WebContainerDriverError } from './webcontainer-driver-error.js';

// playwright-core is optional, so its types are not needed to build: the driver declares what it calls.
interface PlaywrightModule {
  chromium: {
    launch(options: { executablePath: string; args: string[]; timeout: number }): Promise<DriverBrowser>;
  };
}

/** Launches Chromium through playwright-core, loaded only now so that a missing optional dependency is one line. */
export async function launchChromium(options: {
  executablePath: string;
  args: readonly string[];
}): Promise<DriverBrowser> {
  let playwright: PlaywrightModule;
  try {
    // A variable specifier keeps the build from needing playwright-core's types.
    const specifier = 'playwright-core';
    playwright = (await import(specifier)) as PlaywrightModule;
  } catch (error) {
    throw new WebContainerDriverError(
      'PLAYWRIGHT_MISSING',
      'playwright-core is not installed (an optional dependency of @sbx/agent-host) - run `pnpm install` with optional dependencies',
      { cause: error },
    );
  }
  try {
    return await playwright.chromium.launch({
      executablePath: options.executablePath,
      args: [...options.args],
      timeout: 30_000,
    });
  } catch (error) {
    throw new WebContainerDriverError(
      'CHROMIUM_MISSING',
      `Chromium at ${options.executablePath} did not start: ${firstLine(error)} - reinstall it with \`apt-get install -y chromium\``,
      { cause: error },
    );
  }
}

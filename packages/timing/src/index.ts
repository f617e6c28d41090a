// The browser entry is itself a list of named exports; the Node entry adds what needs `node:events`.
export * from './browser.js';
export {
  DEFAULT_MAX_COMPLETED_RECORDS,
  type PerfMonitorOptions,
  type PerfRunKey,
  SandboxPerfMonitor,
  type SandboxPerfMonitorEvents,
  type SandboxPerfMonitorOptions,
  sandboxPerfMonitor,
} from './sandbox-perf-monitor.js';

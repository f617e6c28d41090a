import type { AgentProcess } from './process-agent.js';

/** The same process, whose `close()` runs `close` instead (which also ends the host's use of the sandbox). */
export function withClose(process: AgentProcess, close: () => void): AgentProcess {
  return {
    pid: process.pid,
    ...(process.truncated === undefined ? {} : { truncated: process.truncated }),
    output: () => process.output(),
    wait: () => process.wait(),
    sendStdin: (data) => process.sendStdin(data),
    closeStdin: () => process.closeStdin(),
    signal: (sig) => process.signal(sig),
    resize: (cols, rows) => process.resize(cols, rows),
    close,
  };
}

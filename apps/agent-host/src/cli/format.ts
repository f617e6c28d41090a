import type { PhaseTiming } from '@sbx/timing';

/** Milliseconds with one decimal, or `-` when unknown. */
export function ms(value: number | undefined): string {
  return value === undefined || Number.isNaN(value) ? '-' : `${value.toFixed(1)} ms`;
}

/** `image 1.2 · create 80.1 · ...` */
export function phaseLine(phases: readonly PhaseTiming[]): string {
  return phases.map((p) => `${p.name} ${p.durationMs.toFixed(1)}`).join(' · ');
}

/** Pads cells into aligned columns. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** A one-line progress bar: `[#####.....] 5/10`. */
export function progressBar(done: number, total: number, width = 30): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`;
}

/** How many lines of a job's output `sbx provision --exec` shows under its row, per stream. */
export const JOB_OUTPUT_LINES = 5;

/**
 * A job's output under its row, each line indented and marked by stream (`  | ` stdout, `  ! ` stderr), at most
 * `JOB_OUTPUT_LINES` lines of 200 characters per stream, then how many more there were; empty when it printed nothing.
 */
export function jobOutput(job: { stdout: string; stderr: string }): string {
  const part = (text: string, mark: string): string[] => {
    const lines = text.replace(/\r?\n$/, '').split(/\r?\n/);
    if (text === '') return [];
    const shown = lines
      .slice(0, JOB_OUTPUT_LINES)
      .map((l) => `  ${mark} ${l.length > 200 ? `${l.slice(0, 200)}...` : l}`);
    const more = lines.length - JOB_OUTPUT_LINES;
    return more > 0 ? [...shown, `  ${mark} ... (${more} more line(s))`] : shown;
  };
  return [...part(job.stdout, '|'), ...part(job.stderr, '!')].map((l) => `\n${l}`).join('');
}

/** The phases of a template build, in order; each is timed. */
export const BUILD_PHASES = ['resolve', 'download', 'unpack', 'configure', 'import', 'layer'] as const;
/** One phase of a template build. */
export type BuildPhase = (typeof BUILD_PHASES)[number];

/** A progress event: a phase starts or ends (with its duration), or the build is skipped. */
export interface BuildProgress {
  template: string;
  hash: string;
  phase: BuildPhase;
  event: 'start' | 'done' | 'skipped';
  ms?: number;
}

/** The label of a metadata key (`e2b.metadata.KEY`), on the host's record and a cold sandbox's container. */
export const METADATA_LABEL_PREFIX = 'e2b.metadata.';
const TEMPLATE = 'e2b.template';
const AUTO_PAUSE = 'e2b.autoPause';
const TIMEOUT_MS = 'e2b.timeoutMs';
const PAUSED = 'e2b.paused';

/** What the E2B door keeps of a sandbox WITH the sandbox (its labels on the host), not in the door's memory. */
export interface E2bFacts {
  templateID: string;
  metadata: Record<string, string>;
  /** Paused at its timeout instead of removed (`autoPause`); kept paused until the host's `maxTtlMs`. */
  autoPause: boolean;
  /** The timeout it was created with (ms): a resume without a timeout gets it again. */
  ttlMs?: number;
  paused: boolean;
}

/** A new sandbox's labels: its template, metadata (`e2b.metadata.KEY`), `autoPause` and timeout. */
export function e2bLabels(facts: Omit<E2bFacts, 'paused'>): Record<string, string> {
  return {
    [TEMPLATE]: facts.templateID,
    ...(facts.autoPause ? { [AUTO_PAUSE]: 'true' } : {}),
    ...(facts.ttlMs === undefined ? {} : { [TIMEOUT_MS]: String(facts.ttlMs) }),
    ...Object.fromEntries(
      Object.entries(facts.metadata).map(([k, v]) => [`${METADATA_LABEL_PREFIX}${k}`, v]),
    ),
  };
}

/** The labels with the paused state set (the host's record changes; a container's labels cannot). */
export function withPaused(
  labels: Readonly<Record<string, string>>,
  paused: boolean,
): Record<string, string> {
  const { [PAUSED]: _, ...rest } = labels;
  return paused ? { ...rest, [PAUSED]: 'true' } : rest;
}

/** The door's facts of a sandbox from its labels; undefined for a sandbox the door did not create. */
export function readE2bLabels(labels: Readonly<Record<string, string>> | undefined): E2bFacts | undefined {
  const templateID = labels?.[TEMPLATE];
  if (!labels || templateID === undefined) return undefined;
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels)) {
    if (key.startsWith(METADATA_LABEL_PREFIX)) metadata[key.slice(METADATA_LABEL_PREFIX.length)] = value;
  }
  const ttlMs = Number(labels[TIMEOUT_MS]);
  return {
    templateID,
    metadata,
    autoPause: labels[AUTO_PAUSE] === 'true',
    ...(Number.isSafeInteger(ttlMs) && ttlMs > 0 ? { ttlMs } : {}),
    paused: labels[PAUSED] === 'true',
  };
}

/** Where the labels live: the host's record of its live sandboxes (`E2bHost`). */
export interface LabelStore {
  labelsOf(id: string): Readonly<Record<string, string>> | undefined;
  setLabels(id: string, labels: Record<string, string>): boolean;
}

/** The door's facts of a live sandbox, read from the host; undefined when gone or not the door's. */
export function factsOf(store: LabelStore, id: string): E2bFacts | undefined {
  return readE2bLabels(store.labelsOf(id));
}

/** Records on the host whether a live sandbox is paused (every door instance then sees it). */
export function setPaused(store: LabelStore, id: string, paused: boolean): void {
  const labels = store.labelsOf(id);
  if (labels) store.setLabels(id, withPaused(labels, paused));
}

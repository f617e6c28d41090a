// What a test says when a service it needs does not answer: which one, where it looked, and the one command
// that installs and starts it (the script CI runs). Test support, not shipped.

/** The prerequisite scripts, by service (each also run by `.ci/prereqs/all.sh`). */
export const PREREQ_SCRIPTS = {
  docker: '.ci/prereqs/docker.sh',
  chromium: '.ci/prereqs/chromium.sh',
  prometheus: '.ci/prereqs/prometheus.sh',
  postgres: '.ci/prereqs/postgres.sh',
} as const;

/** `PostgreSQL does not answer at URL (ECONNREFUSED): start it with ...` (the URL's password hidden). */
export function missingPostgres(url: string, error?: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  const why = typeof code === 'string' ? ` (${code})` : error instanceof Error ? ` (${error.message})` : '';
  let shown = url;
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    shown = parsed.toString();
  } catch {}
  return (
    `PostgreSQL does not answer at ${shown}${why}: start it with \`bash ${PREREQ_SCRIPTS.postgres}\` ` +
    '(or everything the tests need: `bash .ci/prereqs/all.sh`), or set SBX_TEST_PG_URL'
  );
}

/** `chromium missing at PATH: install it with ...`. */
export function missingChromium(path: string): string {
  return `Chromium missing at ${path}: install it with \`bash ${PREREQ_SCRIPTS.chromium}\` (or \`bash .ci/prereqs/all.sh\`)`;
}

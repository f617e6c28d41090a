// Changelog lines for the people who read them on the registry: each changeset's text as written, without the
// commit hash the default generator puts in front of it (a bare hash links nowhere there), and a package's
// updated @sbx dependencies as one plain line.

/** One entry per changeset: its first line as the bullet, the rest indented under it. */
async function getReleaseLine(changeset) {
  const [first, ...rest] = changeset.summary.split('\n').map((line) => line.trimEnd());
  return [`- ${first}`, ...rest.map((line) => (line === '' ? '' : `  ${line}`))].join('\n');
}

/** One line naming the workspace dependencies this release moves to, or nothing. */
async function getDependencyReleaseLine(_changesets, dependenciesUpdated) {
  if (dependenciesUpdated.length === 0) return '';
  const list = dependenciesUpdated.map((dep) => `\`${dep.name}\` ${dep.newVersion}`).join(', ');
  return `- Depends on ${list}.`;
}

module.exports = { getReleaseLine, getDependencyReleaseLine };

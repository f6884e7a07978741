// Plain JavaScript on purpose: this file must parse and run on the old Node versions it turns away
// (Node 20 cannot load a .ts file at all), so it stays free of type syntax and of project imports.

/** The oldest Node.js that runs TypeScript files without flags (type stripping), as `engines` says. */
export const MINIMUM_NODE = [22, 18];

/**
 * One line saying what to install when `version` (like process.versions.node) is too old to run
 * restorepoints, or undefined when it is recent enough.
 */
export function nodeVersionProblem(version) {
  const [major = 0, minor = 0] = String(version).split('.').map((part) => Number.parseInt(part, 10) || 0);
  const [needMajor, needMinor] = MINIMUM_NODE;
  if (major > needMajor || (major === needMajor && minor >= needMinor)) return undefined;
  return (
    `restorepoints needs Node.js ${needMajor}.${needMinor} or newer (24 LTS recommended); this is Node ${version}. ` +
    'Install Node.js 24 (https://nodejs.org/en/download, or `nvm install 24`), then run the command again.'
  );
}

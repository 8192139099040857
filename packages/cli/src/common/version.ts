// The tools' version, read from packages/cli/package.json at the time --version or --help asks,
// so that there is one place to bump it.

import { readFileSync } from 'node:fs';

/** The version of @opentraq/cli; 'unknown' when package.json cannot be read (a copied binary). */
export function cliVersion(): string {
  try {
    // dist/common/version.js, src/common/version.ts and a bundle in dist/bundle/ all sit two levels below the package
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

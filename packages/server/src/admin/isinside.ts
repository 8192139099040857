// Whether one path lies inside another: the admin commands refuse a backup inside the store it
// copies, or a restore from inside the directory it replaces.

import path from 'node:path';

/** True when `child` is `parent` or lies below it (both absolute, resolved). */
export function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

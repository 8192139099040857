// Damage for the tests that a damaged segment is found, skipped and reported (core's queries, the
// server's storage recovery, the API end to end): one byte in the middle of one stored column flipped.

import fs from 'node:fs';
import type { SegmentFileInfo } from '../../src/index.js';

/** Flips bits `mask` of the byte in the middle of column `column` of segment file `segment`; its CRC no longer matches. */
export function flipColumnByte(segment: SegmentFileInfo, column: string, mask = 0x10): void {
  const entry = segment.columns.find((c) => c.name === column);
  if (entry === undefined) throw new Error(`segment ${segment.id} has no column ${column}`);
  const at = entry.offset + Math.floor(entry.length / 2);
  const fd = fs.openSync(segment.ref.path, 'r+');
  try {
    const b = Buffer.alloc(1);
    fs.readSync(fd, b, 0, 1, at);
    b[0] = b[0]! ^ mask;
    fs.writeSync(fd, b, 0, 1, at);
  } finally {
    fs.closeSync(fd);
  }
}

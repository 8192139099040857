// Opens the files behind country and ASN lookups — mmdb or range CSV, told apart by content — and
// turns them into one RangeTable per kind of data, with reserved networks blanked.

import fs from 'node:fs';
import { AsNameTable } from './asnametable.js';
import { csvKind, readRangeCsv } from './csvsource.js';
import { EnrichError } from './enricherror.js';
import { looksLikeMmdb, mmdbKinds, readMmdb } from './mmdbsource.js';
import { RangeTable } from './rangetable.js';
import { RangeSink, type DataKind } from './rangesink.js';
import { blankReserved } from './reserved.js';

export type DataFileFormat = 'mmdb' | 'csv';

/** What a data file is and which kinds of data it holds. */
export interface DataFileInfo {
  readonly path: string;
  readonly format: DataFileFormat;
  readonly kinds: readonly DataKind[];
}

/** A kind of data loaded from its files. */
export interface LoadedData {
  readonly table: RangeTable;
  /** AS names (ASN data only; empty for country data). */
  readonly names: AsNameTable;
}

function readBytes(path: string): Buffer {
  try {
    return fs.readFileSync(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory, not a data file' : err.message;
    throw new EnrichError('IO', `cannot read: ${why}`, path, e);
  }
}

function formatOf(bytes: Buffer, path: string): DataFileFormat {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) throw new EnrichError('FORMAT', 'is gzip-compressed: unpack it first', path);
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === 0x504b0304) throw new EnrichError('FORMAT', 'is a zip archive: unpack it first', path);
  if (looksLikeMmdb(bytes)) return 'mmdb';
  if (bytes.subarray(0, 65536).includes(0)) {
    throw new EnrichError('FORMAT', 'is neither a MaxMind DB (.mmdb) file nor a CSV text file', path);
  }
  return 'csv';
}

function csvText(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Tell a data file's format and the kinds of data it holds (reads the file; an mmdb is sampled, not walked). */
export function probeDataFile(path: string): DataFileInfo {
  const bytes = readBytes(path);
  const format = formatOf(bytes, path);
  const kinds = format === 'mmdb' ? mmdbKinds(bytes, path) : [csvKind(csvText(bytes), path)];
  if (kinds.length === 0) {
    throw new EnrichError('NO_DATA', 'holds neither country nor AS data in any field we read (see docs/enrichment.md)', path);
  }
  return { path, format, kinds };
}

/**
 * Read one kind of data from its files, in order: where files overlap, ranges from later files and
 * more specific ranges win (see RangeBuilder). Each file must hold that kind of data.
 */
export function loadDataFiles(kind: DataKind, paths: readonly string[]): LoadedData {
  if (paths.length === 0) throw new EnrichError('USAGE', `no ${kind} data files given`);
  const sink = new RangeSink(kind);
  for (const path of paths) {
    const bytes = readBytes(path);
    if (formatOf(bytes, path) === 'mmdb') {
      readMmdb(bytes, path, sink);
    } else {
      const text = csvText(bytes);
      const holds = csvKind(text, path);
      if (holds !== kind) {
        throw new EnrichError('NO_DATA', `holds ${holds === 'asn' ? 'AS' : 'country'} data, not ${kind === 'asn' ? 'AS' : 'country'} data`, path);
      }
      readRangeCsv(text, path, sink);
    }
  }
  const v4 = blankReserved(sink.v4.build());
  const v6 = blankReserved(sink.v6.build());
  return { table: new RangeTable(v4.starts, v4.values, v6.starts, v6.values), names: AsNameTable.fromMap(sink.names) };
}

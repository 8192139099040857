// What the store knows about a segment file without reading its columns: the engine's SegmentInfo
// plus the header fields (versions, flags) and the column directory.

import type { ColumnName } from '../fields/columns.js';
import type { ColumnStats, SegmentInfo } from '../query/source.js';
import type { SegmentColumnEntry, SegmentHeader } from './segmentheader.js';

export interface SegmentFileInfo extends SegmentInfo {
  readonly ref: { readonly kind: 'file'; readonly path: string };
  readonly formatVersion: number;
  readonly schemaVersion: number;
  readonly columnCrc: boolean;
  readonly partial: boolean;
  readonly supersedesFrom: number | undefined;
  /** Size of the file in bytes. */
  readonly fileBytes: number;
  readonly columns: readonly SegmentColumnEntry[];
}

export function segmentInfoOf(h: SegmentHeader, path: string): SegmentFileInfo {
  const stats: Partial<Record<ColumnName, ColumnStats>> = {};
  for (const c of h.columns) if (c.stats !== undefined) stats[c.name as ColumnName] = c.stats;
  return {
    id: h.id,
    rows: h.rows,
    startMin: h.startMin,
    startMax: h.startMax,
    endMax: h.endMax,
    stats,
    ref: { kind: 'file', path },
    formatVersion: h.formatVersion,
    schemaVersion: h.schemaVersion,
    columnCrc: h.columnCrc,
    partial: h.partial,
    supersedesFrom: h.supersedesFrom,
    fileBytes: h.fileLength,
    columns: h.columns,
  };
}

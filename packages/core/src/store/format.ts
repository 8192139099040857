// Byte-level constants of the segment format, version 2 (docs/storage-format.md is the prose version).
// Changing any of them changes the format: bump FORMAT_VERSION and keep a reader for the old one.

import type { ColumnType } from '../fields/columns.js';
import { StoreError } from './storeerror.js';

/** Version of the segment file layout written by this code; readers accept 1..FORMAT_VERSION. */
export const FORMAT_VERSION = 2;

/** "OTQSEG\r\n": the CR LF catches files mangled by text-mode transfers. */
export const MAGIC: readonly number[] = [0x4f, 0x54, 0x51, 0x53, 0x45, 0x47, 0x0d, 0x0a];

/** Offsets of the fixed header fields; all integers and floats are little-endian. */
export const HEADER = {
  magic: 0,
  formatVersion: 8, // u16
  schemaVersion: 10, // u16
  flags: 12, // u32
  id: 16, // u32
  rows: 20, // u32
  startMin: 24, // f64
  startMax: 32, // f64
  endMax: 40, // f64
  supersedesFrom: 48, // u32
  columnCount: 52, // u16
  reserved1: 54, // u16, 0
  directoryLength: 56, // u32
  directoryCrc: 60, // u32
  fileLength: 64, // u64
  reserved2: 72, // u32, 0
  headerCrc: 76, // u32: CRC-32 of bytes 0..75
  size: 80,
} as const;

/** Header flag bits. */
export const FLAG_COLUMN_CRC = 1;
export const FLAG_PARTIAL = 2;
export const FLAG_SUPERSEDES = 4;
export const KNOWN_FLAGS = FLAG_COLUMN_CRC | FLAG_PARTIAL | FLAG_SUPERSEDES;

/** Fixed part of a directory entry after its name: type, encoding, compression, flags, offset, lengths, crc, min, max. */
export const ENTRY_FIXED_BYTES = 1 + 1 + 1 + 1 + 1 + 8 + 4 + 4 + 4 + 8 + 8;

/** Directory entry flag: min/max are meaningful. */
export const ENTRY_HAS_STATS = 1;

/** Column blobs start at multiples of this, so fixed-width payloads can be viewed as typed arrays. */
export const BLOB_ALIGN = 8;

export const TYPE_CODES: Readonly<Record<ColumnType, number>> = { f64: 0, u32: 1, u16: 2, u8: 3, ip: 4 };
export const TYPES_BY_CODE: readonly ColumnType[] = ['f64', 'u32', 'u16', 'u8', 'ip'];

/** Bytes one value of a type takes in raw and dictionary payloads. */
export const TYPE_WIDTH: Readonly<Record<ColumnType, number>> = { f64: 8, u32: 4, u16: 2, u8: 1, ip: 16 };

export type CompressionName = 'none' | 'deflate';
export const COMPRESSIONS: readonly CompressionName[] = ['none', 'deflate'];

/** Round up to the next multiple of BLOB_ALIGN. */
export function align8(n: number): number {
  return Math.ceil(n / BLOB_ALIGN) * BLOB_ALIGN;
}

/** Segment files are named seg-<id, 10 digits>.otq so that a directory listing sorts by id. */
export function segmentFileName(id: number): string {
  return `seg-${String(id).padStart(10, '0')}.otq`;
}

export const SEGMENT_FILE_RE = /^seg-(\d{10})\.otq$/;
/** Temporary files of the write protocol: a dot, the final name, a unique part, ".tmp". */
export const TEMP_FILE_RE = /^\..+\.tmp$/;
/** Suffix given to a segment found corrupt at open, which keeps it out of the store but on disk. */
export const QUARANTINE_SUFFIX = '.corrupt';

const littleEndian = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** The decoders view payloads as native typed arrays, which matches the file only on little-endian hosts. */
export function assertLittleEndian(): void {
  if (!littleEndian) throw new StoreError('IO', 'the opentraq columnar store needs a little-endian CPU (x86-64, ARM64, ...)');
}

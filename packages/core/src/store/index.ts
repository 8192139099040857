// Public door of the columnar store: segment files (write, read, verify), their encodings, and the
// ColumnStore that keeps a directory of them as a ring and serves them to the query engine.
export { ColumnStore, type ColumnStoreOptions, type StoreLogger, type StoreProblem, type StoreStats } from './columnstore.js';
export { writeSegment, type WriteSegmentOptions } from './writesegment.js';
export { writeRawSegment, type RowBatch } from './writerawsegment.js';
export { STORE_DIR_MODE, STORE_FILE_MODE, fsyncDirectory, replaceFileDurably, writeFileDurably } from './durablefile.js';
export { openSegment, readSegmentInfo, verifySegment, SegmentFileReader } from './segmentreader.js';
export type { SegmentFileInfo } from './segmentfileinfo.js';
export type { SegmentColumnEntry } from './segmentheader.js';
export { REPLAN_AFTER, encodeColumn, type ColumnPlan, type CompressionMode, type EncodeOptions, type EncodedColumn, type PlanNode } from './encodecolumn.js';
export { decodeColumn, type StoredColumn } from './decodecolumn.js';
export { ENCODINGS, type EncodingName } from './encodings.js';
export { FORMAT_VERSION, segmentFileName, type CompressionName } from './format.js';
export { StoreError, type StoreErrorCode, type StoreErrorContext } from './storeerror.js';

// Public door of the query engine: rankings (ftstat), raw session streams (ftsq), the
// worker pool they run on, and the in-memory source the server's hot store is built on.
export type { ColumnStats, DictColumn, FrameColumn, CodedColumn, SegmentInfo, SegmentReader, SegmentRef, SessionSource } from './source.js';
export { QueryError, type QueryErrorCode } from './queryerror.js';
export { MAX_SLICES, planRank, type Direction, type RankQuery } from './rankquery.js';
export { rank, type RankOptions } from './rank.js';
export type { RankResult, RankRow, RankSummary } from './rankresult.js';
export type { SkippedSegment } from './skippedsegment.js';
export { formatTcpFlags, type KeyValue } from './entitykey.js';
export { WorkerPool } from './workerpool.js';
export { streamSessions, type SessionBatch, type SessionQuery, type SessionStreamOptions } from './streamsessions.js';
export { MemorySource, memorySegmentReader, sortedMemorySegment } from './memorysource.js';

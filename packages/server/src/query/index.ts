// Public door of ftserver's query scheduling: the query slots, the scan progress of the session
// queries that asked for it, and the segment files queries found damaged.
export { QueryQueue, QueryQueueFullError } from './queryqueue.js';
export { ProgressRegistry, ProgressRegistryError, MAX_TRACKED, MAX_TRACKED_PER_USER, type ProgressRegistryErrorCode, type ScanProgress, type ScanState, type TrackedScan } from './progressregistry.js';
export { DamagedSegments, MAX_REMEMBERED, skippedSegmentJson, type SkippedSegmentJson } from './damagedsegments.js';

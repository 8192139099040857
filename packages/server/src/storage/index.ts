// Public door of ftserver's session storage: the segment store, the in-memory finished sessions,
// and the durability checkpoint.
export { SessionStoreThread, StorageThreadError, type SessionStoreThreadOptions } from './sessionstorethread.js';
export { SessionStore, type CycleReport, type RecoveryReport, type SessionStoreOptions, type SessionStoreStats } from './sessionstore.js';
export { CHECKPOINT_DIR, CHECKPOINT_FILE, CheckpointError, readCheckpoint, setCheckpointAside, writeCheckpoint, type CheckpointRecord, type LoadedCheckpoint, type SessionRows } from './checkpoint.js';

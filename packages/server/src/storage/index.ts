// Public door of ftserver's session storage: the segment store, the in-memory finished sessions,
// the durability checkpoint, and the lease each query holds on the files it reads.
export { SessionStoreThread, StorageThreadError, type SessionStoreThreadOptions } from './sessionstorethread.js';
export type { LeasedSource } from './viewleases.js';
export { SessionStore, type CycleReport, type RecoveryReport, type SessionStoreOptions, type SessionStoreStats } from './sessionstore.js';
export { CHECKPOINT_DIR, CHECKPOINT_FILE, CheckpointError, readCheckpoint, setCheckpointAside, writeCheckpoint, type CheckpointRecord, type LoadedCheckpoint, type SessionRows } from './checkpoint.js';

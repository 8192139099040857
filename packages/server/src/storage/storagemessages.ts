// The messages between ftserver's main thread and its storage thread (storageworker.ts): what the
// main thread asks for and what the worker answers, all structured-clonable.

import type { SegmentFileInfo, SegmentInfo } from '@opentraq/core';
import type { SessionRows } from './checkpoint.js';
import type { CycleReport, RecoveryReport, SessionStoreOptions, SessionStoreStats } from './sessionstore.js';

/**
 * `oldestRead`: the oldest epoch (StoreView.epoch) whose list of files a running query reads; the
 * files the store dropped after it stay on disk. The close comes when no query runs any more.
 */
export type StorageRequest =
  | { readonly id: number; readonly type: 'open'; readonly options: Omit<SessionStoreOptions, 'logger'> }
  | { readonly id: number; readonly type: 'cycle'; readonly finished: readonly SegmentInfo[]; readonly active: SessionRows | null; readonly oldestRead: number }
  | { readonly id: number; readonly type: 'reconfigure'; readonly segmentCount: number; readonly segmentSize: number; readonly computeCrc: boolean; readonly oldestRead: number }
  | { readonly id: number; readonly type: 'close' };

/**
 * What the main thread keeps of the store after every request: the segment files, the finished
 * sessions the storage thread holds in memory and no file holds (kept while the store cannot write;
 * the same SharedArrayBuffers, not copies), and the totals. Files and held rows never share a session.
 */
export interface StoreView {
  /** Numbers this list of files (SessionStore.epoch): a file dropped from the store at epoch E is in no view of E or later. */
  readonly epoch: number;
  readonly segments: readonly SegmentFileInfo[];
  readonly held: readonly SegmentInfo[];
  readonly stats: SessionStoreStats;
  /** Files dropped from the store and still on disk, waiting for the queries that may read them to end. */
  readonly retiredFiles: number;
}

/** An error as it crosses the thread boundary: the class is lost, name/code/message are kept. */
export interface StorageErrorData {
  readonly name: string;
  readonly code: string | undefined;
  readonly message: string;
}

export interface StorageResult {
  readonly kind: 'result';
  readonly id: number;
  readonly view: StoreView;
  readonly recovery?: RecoveryReport;
  readonly report?: CycleReport;
}

export interface StorageFailure {
  readonly kind: 'failure';
  readonly id: number;
  readonly error: StorageErrorData;
  readonly view?: StoreView;
}

/** A problem the store survived (a corrupt segment set aside), for the server's log. */
export interface StorageWarning {
  readonly kind: 'warning';
  readonly details: Record<string, unknown>;
  readonly message: string;
}

export type StorageReply = StorageResult | StorageFailure | StorageWarning;

// What the session tracker reports about its work (for the server's /metrics and for tests):
// counts of flows, sessions and emitted records by reason, and the state of its table.

/** Why a session record left the tracker. */
export type EmitReason =
  /** idle longer than `timeout` */
  | 'timeout'
  /** the table was full and this was the least recently updated session */
  | 'evicted'
  /** the first `toolong` seconds of a longer session (the session goes on as a new record) */
  | 'toolong'
  /** an NSEL connection already torn down, followed by a new connection with the same key */
  | 'closed'
  /** drain(): everything still tracked, e.g. at shutdown */
  | 'drain';

export const EMIT_REASONS: readonly EmitReason[] = ['timeout', 'evicted', 'toolong', 'closed', 'drain'];

export interface SessionTrackerStats {
  /** Flow records ingested. */
  flows: number;
  /** Session records started (a new key, or a key whose previous record was emitted). */
  created: number;
  /** Flow records merged into a session already tracked. */
  updated: number;
  /** Sessions whose client and server were swapped by stronger evidence. */
  flips: number;
  /** Flow records longer than 1024 × toolong whose start was moved up to that (a broken timestamp). */
  clipped: number;
  /** Session records emitted, by reason. */
  emitted: Record<EmitReason, number>;
  /** Sessions tracked now. */
  active: number;
  /** conntracksize. */
  capacity: number;
  /** Emitted records not yet handed to onSessions (see flush()). */
  pendingRows: number;
  /** The tracker's clock, µs since the epoch: max(wall clock given, latest flow end seen). */
  clockUs: number;
  /** NSEL connections that left the tracker before their teardown and whose counts are remembered (NselLedger). */
  nselRemembered: number;
  /** Session records started as the continuation of a remembered NSEL connection. */
  nselResumed: number;
  /** Bytes of typed arrays holding tracked sessions, their index and the NSEL ledger. */
  memoryBytes: number;
}

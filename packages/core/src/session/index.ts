// Public door of session assembly: the connection tracker that turns decoded flow records
// (FlowBatch) into bidirectional client/server session records (Columns).
export { SessionTracker } from './sessiontracker.js';
export {
  DEFAULT_SESSION_OPTIONS,
  MAX_CONNTRACKSIZE,
  resolveSessionOptions,
  type ResolvedSessionOptions,
  type SessionSink,
  type SessionTrackerOptions,
} from './sessionoptions.js';
export { SessionError, type SessionErrorCode } from './sessionerror.js';
export { EMIT_REASONS, type EmitReason, type SessionTrackerStats } from './sessionstats.js';
export { defaultIsServicePort, REGISTERED_SERVICE_PORTS, servicePortTable, type IsServicePort } from './serviceports.js';

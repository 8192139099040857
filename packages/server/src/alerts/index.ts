// Public door of the alerts component: the store of detector alerts and its API routes
// (POST and GET /api/v1/alerts, nbi.md and cli.md `ftnbi`).
export {
  ALERT_FIELDS,
  ALERT_TYPES,
  ALERT_VERSION,
  DETECTORS,
  SEVERITY_NAMES,
  VALUE_NAMES,
  type Alert,
  type AlertType,
  type AlertValues,
  type Detector,
  type StoredAlert,
} from './alert.js';
export { canAccessAlert } from './alertaccess.js';
export { ALERT_LOG_FILE } from './alertlog.js';
export { alertRoutes } from './alertroutes.js';
export { AlertStore, DEFAULT_MAX_ALERTS, DEFAULT_MAX_BYTES, type AlertStoreOptions } from './alertstore.js';
export { AlertStoreError, type AlertStoreErrorCode } from './alertstoreerror.js';
export { validateAlert, MAX_FUTURE_SECONDS, MAX_ID_LENGTH, MAX_MESSAGE_LENGTH, MAX_SOURCES, type PostedAlert } from './validatealert.js';

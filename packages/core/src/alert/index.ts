// Public door of the alert contract: the fields of an alert as detectors post them and ftnbi prints
// them (cli.md, nbi.md).
export { ALERT_FIELDS, ALERT_TYPES, ALERT_VERSION, DETECTORS, SEVERITY_NAMES, ALERT_VALUE_NAMES, type Alert, type AlertType, type AlertValues, type Detector } from './alert.js';

// Public door of alert output: the record the server keeps, episodes and ids, RFC 5424 syslog
// messages and their UDP/TCP sender, the server poster, and the fan-out to stdout, syslog and server.
export { ALERT_TYPES, ALERT_VERSION, VALUE_NAMES, type AlertType, type AlertValues, type AlertFacts, type AlertRecord, type DetectorName } from './alertrecord.js';
export type { AlertDraft, AlertField } from './alertdraft.js';
export { Episodes, type RaisedAlert } from './episodes.js';
export {
  FACILITIES,
  SEVERITIES,
  ENTERPRISE_NUMBER,
  formatSyslogMessage,
  octetCountedFrame,
  syslogTimestamp,
  escapeParamValue,
  headerField,
  type FacilityName,
  type SeverityName,
  type SyslogMessage,
} from './syslogmessage.js';
export { SyslogSender, type SyslogTarget, type SyslogTransport } from './syslogsender.js';
export { AlertPoster, ALERTS_PATH } from './alertposter.js';
export { AlertOutput, alertJson, alertParams, type AlertOutputOptions, type SyslogOutput } from './alertoutput.js';
export { entityLabel, entityPhrase } from './entitytext.js';
export { formatWindowTime, epochSeconds } from './windowtime.js';

// Keys of FlowTraq's flowtraq.conf that opentraq reads past: a FlowTraq file is accepted as it is,
// and each of these gets a warning saying why it has no effect rather than "unknown key".

export interface FlowtraqOnlyKey {
  /** `key` or `section.key`, as in the FlowTraq manual. */
  readonly path: string;
  /** Why opentraq has no use for it. */
  readonly why: string;
}

const MAIL = 'opentraq sends no e-mail; the detectors (ftnbi) report to syslog';

export const FLOWTRAQ_ONLY_KEYS: readonly FlowtraqOnlyKey[] = [
  { path: 'alertslogfile', why: 'alerts come from the detectors (ftnbi) and the alerts API' },
  { path: 'user', why: 'it names a FlowTraq licensee; opentraq needs no licence' },
  { path: 'license', why: 'opentraq needs no licence' },
  { path: 'sessiontables.resizable', why: 'the session tables can always be resized by a reload' },
  { path: 'mail.server', why: MAIL },
  { path: 'mail.port', why: MAIL },
  { path: 'mail.from', why: MAIL },
];

/** Sections of flowtraq.conf that opentraq does not have. */
export const FLOWTRAQ_ONLY_SECTIONS: readonly string[] = ['mail'];

const BY_PATH = new Map(FLOWTRAQ_ONLY_KEYS.map((k) => [k.path, k]));

export function findFlowtraqOnlyKey(path: string): FlowtraqOnlyKey | undefined {
  return BY_PATH.get(path.toLowerCase());
}

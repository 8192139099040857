// ftnbi's parameters and help: -alert (its one action), the connection, login and time-frame
// parameters, -r and -j; session filters and rankings are refused with the reason.

import { CONNECTION_OPTIONS, SHARED_OPTIONS, sharedOptions } from '../common/sharedoptions.js';
import type { ToolSpec } from '../common/toolspec.js';

const NOT_SESSIONS = 'ftnbi lists the alerts the detectors recorded, not sessions';

export const FTNBI: ToolSpec = {
  name: 'ftnbi',
  summary: 'print the alerts the detectors recorded in a time frame',
  usage: 'ftnbi -alert [-tn RELTIME | -te TIME -tl TIME] [-j] [parameters]',
  description:
    'Asks an ftserver for every alert (raised by the detectors ftbfg ftdos ftscan fttcv ftth ftbl) that was active in the time frame, ' +
    'or was recorded or updated during it, and that the user may see (their own alerts; administrators see all). -j prints them as JSON ' +
    "for programs, with every field of cli.md; the table is for people. An alert can stay active for a long time, so runs every minute overlap: " +
    'de-duplicate on its stable id.',
  options: [
    { name: 'alert', long: ['alerts'], kind: 'flag', group: 'Action', help: 'print the alerts of the time frame (the one action of ftnbi, required)' },
    ...sharedOptions(...CONNECTION_OPTIONS, 'te', 'tl', 'tn'),
    { ...SHARED_OPTIONS.get('r')!, help: 'alerts to print', defaultText: '128 for the table; every alert with -j' },
    ...sharedOptions('j'),
  ],
  refuses: {
    q: `${NOT_SESSIONS}: session filters do not apply (pick alerts with jq: ftnbi -alert -j | jq ...)`,
    e: `${NOT_SESSIONS}: exporter filters do not apply`,
    ei: `${NOT_SESSIONS}: interface filters do not apply`,
    ef: `${NOT_SESSIONS}: export-format filters do not apply`,
    snd: `${NOT_SESSIONS}; rankings are ftstat's`,
    rcv: `${NOT_SESSIONS}; rankings are ftstat's`,
    w: `${NOT_SESSIONS}; time series are ftstat -w`,
    g: `${NOT_SESSIONS}; charts are drawn by ftstat -g`,
    gx: `${NOT_SESSIONS}; charts are drawn by ftstat -g`,
    gy: `${NOT_SESSIONS}; charts are drawn by ftstat -g`,
    c: 'alerts hold lists and nested values (sources, current_values ...) that CSV cannot carry: use -j, one JSON object per alert',
    C: 'alerts hold lists and nested values (sources, current_values ...) that CSV cannot carry: use -j, one JSON object per alert',
    v: 'the alert list is one quick request; there is no progress to show',
    grp: `${NOT_SESSIONS}; rankings are ftstat -grp`,
    cnt: `${NOT_SESSIONS}; rankings are ftstat -cnt`,
  },
  examples: [
    { comment: 'the alerts of the last 3 minutes as JSON', command: 'ftnbi -un admin -alert -tn 3m -j' },
    { comment: 'cron, every minute: new or updated alerts as JSON lines for a SIEM, keyed by id', command: 'ftnbi -us "$KEY" -alert -tn 1m -j | jq -c \'.[]\' >> /var/log/opentraq-alerts.ndjson' },
    { comment: 'the alerts of one morning, as a table', command: "ftnbi -un admin -alert -te '11/23/2026 08:00' -tl '11/23/2026 12:00'" },
  ],
};

// ftsq's parameters and help: the shared connection, login, time, filter and output parameters of
// cli.md; the ranking ones are refused with the reason, since ftsq returns raw sessions.

import { CONNECTION_OPTIONS, SELECTION_OPTIONS, SHARED_OPTIONS, sharedOptions } from '../common/sharedoptions.js';
import type { ToolSpec } from '../common/toolspec.js';

const NOT_RANKED = 'ftsq returns raw sessions, which are not ranked; rankings are ftstat\'s';

export const FTSQ: ToolSpec = {
  name: 'ftsq',
  summary: 'print the sessions of a time frame that match the filters',
  usage: 'ftsq [parameters]',
  description:
    'Streams the bidirectional session records that overlap the time frame and pass the filters from an ftserver, oldest first, ' +
    'whole (never pro-rated), and prints them as they arrive: a table of the main columns for people (at most -r rows, 128 by default), ' +
    'or every column as CSV (-c, -C) or newline-delimited JSON (-j), unlimited unless -r is given. ' +
    'Column names are the filter field names, so a column can be pasted into a filter. Times are local (TZ), in CSV too (the server writes them in the zone of the tool); JSON has UTC epoch seconds.',
  options: [
    ...sharedOptions(...CONNECTION_OPTIONS, ...SELECTION_OPTIONS),
    // a table is for reading, so it stops at 128; CSV and JSON are for programs, which get everything
    { ...SHARED_OPTIONS.get('r')!, help: 'sessions to print', defaultText: '128 for the table; every session with -c, -C or -j' },
    ...sharedOptions('c', 'C', 'j', 'v'),
  ],
  refuses: {
    snd: `${NOT_RANKED} (-snd counts what an entity sent in a ranking)`,
    rcv: `${NOT_RANKED} (-rcv counts what an entity received in a ranking)`,
    w: `${NOT_RANKED}; time series of rankings are ftstat -w`,
    g: `${NOT_RANKED}; charts are drawn by ftstat -g`,
    gx: `${NOT_RANKED}; charts are drawn by ftstat -g`,
    gy: `${NOT_RANKED}; charts are drawn by ftstat -g`,
    grp: `${NOT_RANKED}: use ftstat -grp`,
    cnt: `${NOT_RANKED}: use ftstat -cnt`,
  },
  examples: [
    { comment: 'the sessions of the last 5 minutes, as a table', command: 'ftsq -un admin -tn 5m' },
    {
      comment: 'every session in the last hour to HTTP servers from clients outside 123.45.67.0/24, as CSV with a header',
      command: 'ftsq -un admin -up admin -tn 1h -q "SRVPORT=80 && !(CLNIP=123.45.67.0/24)" -C',
    },
    { comment: 'SSH sessions of one exporter between two times, as NDJSON for jq', command: "ftsq -e 192.0.2.1 -te '11/23/2026 08:00' -tl '11/23/2026 09:00' -q 'SRVPORT=22' -j | jq .CLNIP" },
    { comment: 'the first 1000 sessions of the last day from NetFlow v9 exporters, CSV without a header', command: 'ftsq -tn 1d -ef nf9 -r 1000 -c' },
  ],
};

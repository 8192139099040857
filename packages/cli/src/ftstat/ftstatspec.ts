// ftstat's parameters and help: -grp and -cnt of its own, and the shared connection, login, time,
// filter and output parameters of cli.md, with real examples.

import { COUNTS, ENTITIES, UNIQUE_TARGETS } from '@opentraq/core';
import type { OptionDef } from '../common/optiondef.js';
import { CONNECTION_OPTIONS, SELECTION_OPTIONS, sharedOptions } from '../common/sharedoptions.js';
import type { ToolSpec } from '../common/toolspec.js';

export const GROUP_OPTION: OptionDef = {
  name: 'grp',
  long: ['group'],
  kind: 'value',
  arg: 'ENTITY',
  example: 'IP',
  group: 'Query',
  help: `what to rank: ${ENTITIES.map((e) => e.name).join(' ')}`,
};

export const COUNT_OPTION: OptionDef = {
  name: 'cnt',
  long: ['count'],
  kind: 'value',
  arg: 'COUNT',
  example: 'BYTES',
  group: 'Query',
  help: `ranked by: ${COUNTS.filter((c) => c !== 'UNIQUE').join(' ')}, or UNIQUE X, the number of distinct X (${UNIQUE_TARGETS.join(' ')})`,
  takesSecondWord: (first) => first.toUpperCase() === 'UNIQUE',
};

export const FTSTAT: ToolSpec = {
  name: 'ftstat',
  summary: 'rank addresses, ports, countries, interfaces ... by volume, sessions or distinct peers',
  usage: 'ftstat -grp ENTITY -cnt COUNT [parameters]',
  description:
    'Asks an ftserver for a ranking of the sessions in the time frame that pass the filters and prints it: a table for people, ' +
    'CSV (-c, -C) or JSON (-j) with exact numbers for programs. Volumes of sessions that lie partly outside the frame are pro-rated. ' +
    'Columns: rank, the entity (addresses with their AS and country), the ranked value, its percent of the whole selection, ' +
    'then bytes, packets and sessions in each direction.',
  options: [
    GROUP_OPTION,
    COUNT_OPTION,
    ...sharedOptions(...CONNECTION_OPTIONS, ...SELECTION_OPTIONS, 'snd', 'rcv', 'r', 'c', 'C', 'j', 'v', 'w', 'g', 'gx', 'gy'),
  ],
  refuses: {},
  examples: [
    { comment: 'the 25 hosts that sent the most bytes in the last week', command: 'ftstat -un admin -grp IP -cnt BYTES -snd -r 25 -tn 1w' },
    { comment: 'the five host pairs that talked over the most distinct ports in the last 5 hours', command: 'ftstat -grp IPPAIR -cnt UNIQUE PORTPROTO -r 5 -tn 5h' },
    { comment: 'services by sessions between two absolute times, as CSV with a header', command: "ftstat -grp PORTPROTO -cnt SESSIONS -te '11/23/2026 08:00' -tl '11/23/2026 12:00' -C" },
    { comment: 'countries by sessions initiated, hourly for a day, as JSON', command: 'ftstat -grp COUNTRY -cnt SESSIONS -snd -tn 1d -w 24 -j' },
    { comment: 'interfaces of one exporter by bits, HTTPS only', command: 'ftstat -grp IF -cnt BITS -e 192.0.2.1 -q "SRVPORT=443 && PROTO=TCP"' },
    { comment: 'log in once, keep the session key, use it', command: 'KEY=$(ftstat -un admin -up "$PW" -us -grp IP -cnt BYTES -r 1 2>&1 >/dev/null) && ftstat -us "$KEY" -grp ASN -cnt BYTES' },
  ],
};

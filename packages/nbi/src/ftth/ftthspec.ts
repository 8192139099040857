// ftth's parameters and help: -grp/-cnt/-snd/-rcv as in ftstat, the threshold -bt per -bw seconds,
// the window -bi and settle -bd, the shared connection, login and filter parameters, the output ones.

import { sharedOptions, type ToolSpec } from '@opentraq/cli';
import { COUNT_OPTION, GROUP_OPTION } from '../fttcv/readmeasure.js';
import { DETECTOR_REFUSES, LOG_RULES, SETTLE_OPTION, thresholdOption } from '../params/detectoroptions.js';
import { intervalOption } from '../params/readwindowschedule.js';
import { HISTORY_PARAMETERS, REPORT_TAIL, refusing } from '../params/specparts.js';
import { RATE_OPTION } from './readraterule.js';

export const DEFAULT_INTERVAL_S = 300;

const NO_HISTORY = 'ftth learns nothing: each window is compared with -bt alone';
const NO_BASELINE = 'ftth keeps no baselines: it compares each window of -bi seconds with -bt';

export const FTTH: ToolSpec = {
  name: 'ftth',
  summary: 'raise an alert when an entity\'s rate passes a fixed threshold',
  usage: 'ftth [-grp ENTITY] [-cnt COUNT] [-snd|-rcv] -bt N [-bw SECONDS] [-bi SECONDS] [parameters]',
  description:
    'Checks every window of -bi seconds (default 300, aligned to the clock) once it has closed and settled (-bd): every entity of the ' +
    'ranking -grp (default IP) by -cnt (default BYTES; -snd/-rcv for one direction) whose value, as a rate per -bw seconds (default 60), ' +
    'exceeds -bt raises an alert with confidence 100. No training: a threshold needs no history. Alerts go to stdout, syslog (-lh) and ' +
    'the server (ftnbi -alert). Runs until SIGTERM or SIGINT.',
  options: [
    GROUP_OPTION,
    COUNT_OPTION,
    ...sharedOptions('s', 'p', 'un', 'up', 'us', 'e', 'ei', 'ef', 'q', 'snd', 'rcv'),
    thresholdOption('a rate: the unit of -cnt per -bw seconds; an entity above it raises an alert'),
    RATE_OPTION,
    intervalOption(DEFAULT_INTERVAL_S),
    SETTLE_OPTION,
    ...REPORT_TAIL,
  ],
  refuses: {
    ...DETECTOR_REFUSES,
    ...refusing(HISTORY_PARAMETERS, NO_HISTORY),
    ...refusing(['bg', 'bk', 'bdow', 'bm'], NO_BASELINE),
    bnl: 'ftth reports only values above -bt',
  },
  rules: LOG_RULES,
  examples: [
    { comment: 'addresses moving more than 10 MB a minute, checked every 5 minutes', command: 'ftth -un nbi -bt 10000000' },
    { comment: 'nbi.md\'s example: total bytes per 10 s above 10, in 5-minute windows', command: 'ftth -un nbi -grp IP -cnt BYTES -bw 10 -bt 10' },
    { comment: 'servers accepting more than 50 sessions a second, checked every minute, to syslog over TCP', command: 'ftth -un nbi -cnt SESSIONS -rcv -bw 1 -bt 50 -bi 60 -lh siem.example.net -lt tcp' },
    { comment: 'hosts of 10.0.0.0/8 contacting more than 200 peers per minute, JSON lines', command: 'ftth -us "$KEY" -cnt UNIQUE IP -snd -q "ADDR=10.0.0.0/8" -bt 200 -j' },
  ],
};

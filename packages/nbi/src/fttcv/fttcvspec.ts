// fttcv's parameters and help: -grp/-cnt/-snd/-rcv as in ftstat, -bnl, the shared connection, login,
// history and filter parameters, the baseline and output parameters of nbi.md, and real examples.

import { sharedOptions, type ToolSpec } from '@opentraq/cli';
import {
  DAY_OF_WEEK_OPTION,
  DETECTOR_REFUSES,
  DEVIATIONS_OPTION,
  GRANULARITY_OPTION,
  LOG_RULES,
  MEMORY_OPTION,
  NO_LOW_OPTION,
  SETTLE_OPTION,
  thresholdOption,
} from '../params/detectoroptions.js';
import { HISTORY_HEAD, REPORT_TAIL } from '../params/specparts.js';
import { COUNT_OPTION, GROUP_OPTION } from './readmeasure.js';

export const FTTCV: ToolSpec = {
  name: 'fttcv',
  summary: 'detect unusual volumes: entities carrying far more or far less than they usually do at this time',
  usage: 'fttcv [-grp ENTITY] [-cnt COUNT] [-snd|-rcv] [parameters]',
  description:
    'Learns, for every entity of a ranking (-grp, default IP) by a measure (-cnt, default BYTES; -snd/-rcv for one direction), its ' +
    'usual value in each 10-minute slot of the day (-bg DAY) or hour of the week (-bg WEEK) over the history (-tn, default 1w), then ' +
    'checks the last window every 2 (DAY) or 10 (WEEK) minutes: a value more than -bk standard deviations above its baseline is ' +
    'reported HIGH, one as far below LOW (unless -bnl) — hosts that appear, disappear, or suddenly send far more. Alerts go to stdout, ' +
    'syslog (-lh) and the server (ftnbi -alert). Runs until SIGTERM or SIGINT.',
  options: [
    GROUP_OPTION,
    COUNT_OPTION,
    ...HISTORY_HEAD,
    ...sharedOptions('e', 'ei', 'ef', 'q', 'snd', 'rcv'),
    GRANULARITY_OPTION,
    thresholdOption('in the unit of -cnt: a HIGH value must exceed it, a LOW alert needs a baseline above it'),
    DEVIATIONS_OPTION,
    NO_LOW_OPTION,
    SETTLE_OPTION,
    DAY_OF_WEEK_OPTION,
    MEMORY_OPTION,
    ...REPORT_TAIL,
  ],
  refuses: DETECTOR_REFUSES,
  rules: LOG_RULES,
  examples: [
    { comment: 'hosts whose total bytes are unusual for the time of day (HIGH and LOW)', command: 'fttcv -un admin' },
    { comment: 'hosts of 10.1.0.0/16 sending unusually much or going silent', command: 'fttcv -un nbi -grp IP -cnt BYTES -snd -q "ADDR=10.1.0.0/16" -bt 1000000' },
    { comment: 'services with unusually many sessions, hourly baselines of the week, no LOW alerts', command: 'fttcv -un nbi -grp PORTPROTO -cnt SESSIONS -bg WEEK -tn 4w -bnl' },
    { comment: 'hosts contacting unusually many peers, to syslog over TCP', command: 'fttcv -un nbi -cnt UNIQUE IP -snd -lh siem.example.net -lt tcp' },
  ],
};

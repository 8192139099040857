// ftdos's parameters and help: the shared connection, login, history and filter parameters, the
// baseline and output parameters of nbi.md, and real examples.

import type { ToolSpec } from '@opentraq/cli';
import { DETECTOR_REFUSES, LOG_RULES, thresholdOption } from '../params/detectoroptions.js';
import { RANKING_PARAMETERS, fixedRankingOptions, refusing } from '../params/specparts.js';

const FIXED_RANKING = 'ftdos always tracks the sessions each address accepts (as -grp IP -cnt SESSIONS -rcv); fttcv ranks by what you choose';

export const FTDOS: ToolSpec = {
  name: 'ftdos',
  summary: 'detect denial-of-service attacks: addresses receiving anomalously many sessions, and the sources sending them',
  usage: 'ftdos [parameters]',
  description:
    'Learns, for every address, how many sessions it accepts in each 10-minute slot of the day (-bg DAY) or hour of the week ' +
    '(-bg WEEK) over the history (-tn, default 1w), then checks the last window every 2 (DAY) or 10 (WEEK) minutes. When a target ' +
    'receives more than -bk standard deviations above its baseline, every source that initiated more than -bt sessions to it is ' +
    'reported: a line on stdout, a syslog message (-lh) and a record in the server (ftnbi -alert). Training progress and problems ' +
    'go to stderr. Runs until SIGTERM or SIGINT.',
  options: fixedRankingOptions(thresholdOption('sessions a source initiated to the target in the window')),
  refuses: {
    ...DETECTOR_REFUSES,
    ...refusing(RANKING_PARAMETERS, FIXED_RANKING),
    bnl: 'ftdos reports only targets above their baseline; LOW alerts are fttcv\'s',
  },
  rules: LOG_RULES,
  examples: [
    { comment: 'learn the last week, then watch every 2 minutes; alerts on stdout', command: 'ftdos -un admin' },
    { comment: 'TCP only, sources with more than 500 sessions, 4 standard deviations', command: 'ftdos -un nbi -tn 2w -q "PROTO=TCP" -bt 500 -bk 4' },
    {
      comment: 'alerts to a SIEM over syslog/TCP (and still on stdout)',
      command: 'ftdos -un nbi -lh siem.example.net -lt tcp -lp 6514 -lf LOCAL3 -ll WARNING -lu "site=ams1" -ls',
    },
    { comment: 'hourly baselines of the week, JSON lines for a script', command: 'ftdos -us "$KEY" -bg WEEK -tn 4w -j' },
  ],
};

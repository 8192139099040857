// ftscan's parameters and help: the shared connection, login, history and filter parameters, the
// baseline and output parameters of nbi.md, what it refuses (its rankings are fixed), and real examples.

import type { ToolSpec } from '@opentraq/cli';
import { DETECTOR_REFUSES, LOG_RULES, MEMORY_OPTION, thresholdOption } from '../params/detectoroptions.js';
import { RANKING_PARAMETERS, fixedRankingOptions, refusing } from '../params/specparts.js';

const FIXED_RANKINGS =
  'ftscan always tracks the unique hosts and the unique services (port/protocol) in the sessions each address initiated (as -grp IP -cnt UNIQUE IP -snd and -cnt UNIQUE PORTPROTO -snd); fttcv ranks by what you choose';

export const FTSCAN: ToolSpec = {
  name: 'ftscan',
  summary: 'detect scans: sources contacting unusually many hosts (horizontal) or many ports on one host (vertical)',
  usage: 'ftscan [parameters]',
  description:
    'Learns, for every address, how many distinct hosts and how many distinct services (port/protocol) it contacts in the sessions it ' +
    'initiates, in each 10-minute slot of the day (-bg DAY) or hour of the week (-bg WEEK) over the history (-tn, default 1w), then checks ' +
    'the last window every 2 (DAY) or 10 (WEEK) minutes. A source more than -bk standard deviations above its baseline of unique hosts, ' +
    'and above -bt hosts, is a horizontal scan; one above its baseline of unique services is followed up, and every host it tried more ' +
    'than -bt ports on is a vertical scan. Alerts go to stdout, syslog (-lh) and the server (ftnbi -alert). Runs until SIGTERM or SIGINT.',
  options: fixedRankingOptions(
    thresholdOption('unique hosts a source contacted, for a horizontal scan; unique ports it tried on one host, for a vertical one'),
    { ...MEMORY_OPTION, help: 'memory for the baselines, half for unique hosts and half for unique services; when full, the least recently seen sources are forgotten' },
  ),
  refuses: {
    ...DETECTOR_REFUSES,
    ...refusing(RANKING_PARAMETERS, FIXED_RANKINGS),
    bnl: 'a scan is a source above its baseline; there are no LOW alerts to turn off (fttcv has them)',
  },
  rules: LOG_RULES,
  examples: [
    { comment: 'learn the last week, then watch every 2 minutes; alerts on stdout', command: 'ftscan -un admin' },
    { comment: 'scans of more than 50 hosts or ports, by sources outside 10.0.0.0/8', command: 'ftscan -un nbi -q "!(CLNIP=10.0.0.0/8)" -bt 50' },
    { comment: 'alerts to a SIEM over syslog/TCP (and still on stdout)', command: 'ftscan -un nbi -lh siem.example.net -lt tcp -lp 6514 -lf LOCAL3 -ls' },
    { comment: 'hourly baselines of the week, JSON lines for a script', command: 'ftscan -us "$KEY" -bg WEEK -tn 4w -j' },
  ],
};

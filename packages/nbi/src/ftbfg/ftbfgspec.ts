// ftbfg's parameters and help: the shared connection, login, history and filter parameters, -bc,
// the timing and output parameters of nbi.md, what it refuses (it has no baselines), and real examples.

import { sharedOptions, type ToolSpec } from '@opentraq/cli';
import { DETECTOR_REFUSES, GRANULARITY_OPTION, LOG_RULES, MEMORY_OPTION, SETTLE_OPTION } from '../params/detectoroptions.js';
import { HISTORY_HEAD, RANKING_PARAMETERS, REPORT_TAIL, refusing } from '../params/specparts.js';
import { COMPLEXITY_OPTION } from './readcomplexity.js';

const FIXED_SESSIONS = 'ftbfg always learns clients (as subnets, -bc) and the services (address, port, protocol) they use in confirmed two-way sessions; fttcv ranks by what you choose';
const NO_BASELINE = 'ftbfg has no baselines to deviate from: every confirmed two-way connection that does not fit the fingerprint is reported once';

export const FTBFG: ToolSpec = {
  name: 'ftbfg',
  summary: 'behavioural fingerprint: report connections to new services, and new clients of known services',
  usage: 'ftbfg [-bc N] [parameters]',
  description:
    'Learns from the confirmed two-way sessions of the history (-tn, default 1w) which clients (as subnets: -bc) use which services ' +
    '(server address, port and protocol), then checks the last window every 2 (-bg DAY) or 10 (-bg WEEK) minutes: a connection to a ' +
    'service never seen serving (new service), or from a client subnet never seen using that service (new client), is reported once ' +
    'and becomes part of the fingerprint. One-way sessions (scans, unanswered probes) are never reported. Alerts go to stdout, syslog ' +
    '(-lh) and the server (ftnbi -alert). Runs until SIGTERM or SIGINT.',
  options: [
    COMPLEXITY_OPTION,
    ...HISTORY_HEAD,
    ...sharedOptions('e', 'ei', 'ef', 'q'),
    { ...GRANULARITY_OPTION, help: 'DAY: a 10-minute window checked every 2 minutes; WEEK: a 1-hour window every 10 minutes' },
    SETTLE_OPTION,
    { ...MEMORY_OPTION, help: 'memory for the fingerprint; when full, the least recently seen client–service pairs are forgotten' },
    ...REPORT_TAIL,
  ],
  refuses: {
    ...DETECTOR_REFUSES,
    ...refusing(RANKING_PARAMETERS, FIXED_SESSIONS),
    ...refusing(['bt', 'bk', 'bnl'], NO_BASELINE),
    bdow: 'the fingerprint is one set for every time of the week: a connection seen on any day is known',
  },
  rules: LOG_RULES,
  examples: [
    { comment: 'learn the last week (clients as /17 subnets), then watch every 2 minutes', command: 'ftbfg -un admin' },
    { comment: 'clients as /24 subnets, servers of 10.20.0.0/16 only, four weeks of history', command: 'ftbfg -un nbi -bc 8 -q "SRVIP=10.20.0.0/16" -tn 4w' },
    { comment: 'every client address on its own, alerts to a SIEM over syslog/TCP', command: 'ftbfg -un nbi -bc 16 -lh siem.example.net -lt tcp -lp 6514' },
    { comment: 'JSON lines for a script, new services only', command: 'ftbfg -us "$KEY" -j | jq -c \'select(.alert_type == "fingerprint_new_service")\'' },
  ],
};

// ftbl's parameters and help: the list -bl and its reload -br, the window -bi and settle -bd, the
// shared connection, login and filter parameters, the output ones, and real examples.

import { sharedOptions, type ToolSpec } from '@opentraq/cli';
import { DETECTOR_REFUSES, LOG_RULES, SETTLE_OPTION } from '../params/detectoroptions.js';
import { intervalOption } from '../params/readwindowschedule.js';
import { HISTORY_PARAMETERS, RANKING_PARAMETERS, REPORT_TAIL, refusing } from '../params/specparts.js';
import { LIST_OPTION, RELOAD_OPTION } from './readblacklistsettings.js';

export const DEFAULT_INTERVAL_S = 120;

const NO_HISTORY = 'ftbl learns nothing: it reports every session with a listed address';
const NO_BASELINE = 'ftbl keeps no baselines: every session with a listed address is reported';
const NO_RANKING = 'ftbl reports sessions with listed addresses, not a ranking; ftth and fttcv rank by what you choose';

export const FTBL: ToolSpec = {
  name: 'ftbl',
  summary: 'report every session with an address of a blacklist',
  usage: 'ftbl -bl FILE|URL [-br HOURS] [-bi SECONDS] [parameters]',
  description:
    'Reads a list of IPv4/IPv6 addresses, CIDR blocks and hostnames (-bl: a file or an http(s) URL; # comments), resolves the hostnames, ' +
    'and reloads it every -br hours (default 24). Every window of -bi seconds (default 120, aligned to the clock) is checked once it has ' +
    'closed and settled (-bd): every session in it with a listed address as client or server is reported, one alert per client and ' +
    'server pair with its number of sessions, naming both and which one initiated. Alerts go to stdout, syslog (-lh) and the server ' +
    '(ftnbi -alert). Runs until SIGTERM or SIGINT.',
  options: [
    LIST_OPTION,
    RELOAD_OPTION,
    ...sharedOptions('s', 'p', 'un', 'up', 'us', 'e', 'ei', 'ef', 'q'),
    intervalOption(DEFAULT_INTERVAL_S),
    SETTLE_OPTION,
    ...REPORT_TAIL,
  ],
  refuses: {
    ...DETECTOR_REFUSES,
    ...refusing(HISTORY_PARAMETERS, NO_HISTORY),
    ...refusing(['bg', 'bk', 'bdow', 'bm', 'bnl'], NO_BASELINE),
    bt: 'ftbl reports every session with a listed address, however few',
    ...refusing(RANKING_PARAMETERS, NO_RANKING),
  },
  rules: LOG_RULES,
  examples: [
    { comment: 'a local list, checked every 2 minutes, alerts on stdout', command: 'ftbl -un nbi -bl /etc/opentraq/blacklist.txt' },
    { comment: 'Spamhaus DROP, downloaded every 6 hours, to syslog over TCP', command: 'ftbl -un nbi -bl https://www.spamhaus.org/drop/drop.txt -br 6 -lh siem.example.net -lt tcp' },
    { comment: 'only sessions seen by one exporter, checked every minute, JSON lines', command: 'ftbl -us "$KEY" -bl /etc/opentraq/blacklist.txt -e 192.0.2.1 -bi 60 -j' },
  ],
};

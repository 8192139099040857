// The parameters of nbi.md every detector takes besides the query tools' shared ones: baseline
// (-bg -bt -bk -bd -bdow -bm), alert output (-ls -lh -lp -lt -lf -ll -lu -j), -nr, -v, and -tn's
// detector default. One definition each, picked by the detectors' specs.

import { SHARED_OPTIONS, type OptionDef, type OptionRule } from '@opentraq/cli';
import { FACILITIES, SEVERITIES } from '../output/syslogmessage.js';

/** The history learnt when neither -tn nor -te/-tl is given (nbi.md). */
export const DEFAULT_HISTORY = '1w';
export const DEFAULT_DEVIATIONS = 3;
export const DEFAULT_THRESHOLD = 100;
export const DEFAULT_SETTLE_S = 60;
export const DEFAULT_MEMORY_MB = 32;
export const DEFAULT_SYSLOG_PORT = 514;

export const GRANULARITY_OPTION: OptionDef = {
  name: 'bg',
  long: ['granularity'],
  kind: 'value',
  arg: 'DAY|WEEK',
  example: 'WEEK',
  group: 'Detector',
  help: 'DAY: baselines per 10-minute slot of the day, a 10-minute window checked every 2 minutes; WEEK: per hour of the week, a 1-hour window every 10 minutes',
  defaultText: 'DAY',
};

/** -bt; what it counts differs per detector. */
export function thresholdOption(unit: string): OptionDef {
  return {
    name: 'bt',
    long: ['threshold'],
    kind: 'value',
    arg: 'N',
    example: '500',
    group: 'Detector',
    help: `absolute threshold: nothing below it is reported (${unit})`,
    defaultText: String(DEFAULT_THRESHOLD),
  };
}

export const DEVIATIONS_OPTION: OptionDef = {
  name: 'bk',
  long: ['deviations'],
  kind: 'value',
  arg: 'K',
  example: '4',
  group: 'Detector',
  help: 'a value is anomalous when it is more than K standard deviations from its baseline',
  defaultText: String(DEFAULT_DEVIATIONS),
};

export const SETTLE_OPTION: OptionDef = {
  name: 'bd',
  long: ['settle'],
  kind: 'value',
  arg: 'SECONDS',
  example: '120',
  group: 'Detector',
  help: 'how long after a window closes it is checked, so that late flow records are in',
  defaultText: String(DEFAULT_SETTLE_S),
};

export const DAY_OF_WEEK_OPTION: OptionDef = {
  name: 'bdow',
  long: ['day-of-week'],
  kind: 'flag',
  group: 'Detector',
  help: 'separate baselines for each day of the week (with -bg DAY)',
};

export const MEMORY_OPTION: OptionDef = {
  name: 'bm',
  long: ['memory'],
  kind: 'value',
  arg: 'MB',
  example: '128',
  group: 'Detector',
  help: 'memory for the baselines; when full, the least recently seen entities are forgotten',
  defaultText: String(DEFAULT_MEMORY_MB),
};

export const NO_LOW_OPTION: OptionDef = {
  name: 'bnl',
  long: ['no-low'],
  kind: 'flag',
  group: 'Detector',
  help: 'report only values above the baseline, no LOW alerts',
};

export const NO_RECORD_OPTION: OptionDef = {
  name: 'nr',
  long: ['no-record'],
  kind: 'flag',
  group: 'Output',
  help: 'do not record the alerts in the server (ftnbi -alert will not list them)',
};

export const HISTORY_OPTION: OptionDef = {
  ...SHARED_OPTIONS.get('tn')!,
  help: 'the history to learn from, ending now: <n><unit>... with units s m h d w M(onths) y; excludes -te/-tl',
  defaultText: DEFAULT_HISTORY,
};

export const VERBOSE_OPTION: OptionDef = { name: 'v', long: ['verbose'], kind: 'flag', group: 'Output', help: 'also a line on stderr for every window checked' };

export const JSON_OPTION: OptionDef = { name: 'j', long: ['json'], kind: 'flag', group: 'Output', help: 'print each alert as a JSON object on a line of its own' };

export const LOG_OPTIONS: readonly OptionDef[] = [
  { name: 'ls', long: ['log-stdout'], kind: 'flag', group: 'Output', help: 'print alerts on stdout (the default unless -lh is given)' },
  { name: 'lh', long: ['log-host'], kind: 'value', arg: 'LOGHOST', example: 'siem.example.net', group: 'Output', help: 'send alerts as RFC 5424 syslog messages to this host' },
  { name: 'lp', long: ['log-port'], kind: 'value', arg: 'PORT', example: '6514', group: 'Output', help: 'syslog port', defaultText: String(DEFAULT_SYSLOG_PORT) },
  { name: 'lt', long: ['log-transport'], kind: 'value', arg: 'udp|tcp', example: 'tcp', group: 'Output', help: 'syslog transport; TCP frames messages by octet counting (RFC 6587)', defaultText: 'udp' },
  { name: 'lf', long: ['log-facility'], kind: 'value', arg: 'FACILITY', example: 'LOCAL3', group: 'Output', help: `syslog facility: ${FACILITIES.join(' ')}`, defaultText: 'LOCAL0' },
  { name: 'll', long: ['log-level'], kind: 'value', arg: 'LEVEL', example: 'WARNING', group: 'Output', help: `severity of the alerts: ${SEVERITIES.join(' ')}`, defaultText: 'NOTICE' },
  { name: 'lu', long: ['log-message'], kind: 'value', arg: 'MESSAGE', example: '"site=ams1"', group: 'Output', help: 'text appended to each syslog message' },
];

/** The rules between the log parameters: the syslog settings mean something only with a log host. */
export const LOG_RULES: readonly OptionRule[] = ['lp', 'lt', 'lf', 'lu'].map(
  (name): OptionRule => ({ kind: 'requires', name, needs: 'lh', why: 'it sets how alerts go to the log host, which -lh names (e.g. -lh siem.example.net)' }),
);

/** What every detector refuses, and why. */
export const DETECTOR_REFUSES: Readonly<Record<string, string>> = {
  r: 'a detector prints alerts as they happen, not a ranking of a given number of rows',
  c: 'a detector prints alert lines (or JSON lines with -j), not CSV',
  C: 'a detector prints alert lines (or JSON lines with -j), not CSV',
  w: 'a detector checks its own windows (-bg); it prints no time series',
  g: 'a detector draws no charts; ftstat -g does',
  gx: 'a detector draws no charts; ftstat -g does',
  gy: 'a detector draws no charts; ftstat -g does',
};

// Renders docs/config.md from the settings table, the problem codes and the FlowTraq key list, so the
// documented configuration can never drift from what the server reads (a test compares them).

import { CONFIG_PROBLEMS } from './configerror.js';
import { DEFAULT_CONFIG_FILE } from './configfromflags.js';
import { FLOWTRAQ_ONLY_KEYS } from './flowtraqkeys.js';
import { formatServerConfig } from './formatserverconfig.js';
import { CONFIG_SETTINGS, defaultServerConfig, type ConfigSetting } from './settings.js';
import { describeValueType, formatValue } from './valuetype.js';

function defaultCell(s: ConfigSetting): string {
  const text = formatValue(s.type, s.default);
  return text === '' ? '(empty)' : `\`${text}\``;
}

function meaningCell(s: ConfigSetting): string {
  const parts = [s.doc];
  if (s.empty !== undefined) parts.push(`Empty: ${s.empty}.`);
  if (s.extension) parts.push('*opentraq extension.*');
  return parts.join(' ');
}

export function renderConfigDoc(): string {
  const out: string[] = [];
  const p = (...lines: string[]): void => {
    out.push(...lines);
  };
  p(
    '# Configuration: `ftserver.conf`',
    '',
    'Generated from `packages/core/src/config/` by `npm run docs`; a test fails when this file is out of date.',
    '',
    `\`ftserver\` reads its settings from the file given by \`-c FILE\` (default \`${DEFAULT_CONFIG_FILE}\`), then applies`,
    'the command-line options over them. A FlowTraq `flowtraq.conf` is accepted as it is: the FlowTraq keys',
    'opentraq has no use for are warned about, never errors.',
    '',
    '## The file',
    '',
    '- One setting per line: the key, white space, the value. Keys and section names are case-insensitive.',
    '- `#` starts a comment at the start of a line or after white space, so `MEDIUM # note` is `MEDIUM`, while',
    '  `a#b` stays a value. Blank lines are ignored.',
    '- Sections: `<name>` and `</name>`, each alone on its line, enclose the keys of that section, which the',
    '  documentation writes `name.key` (`netflow.netflowport`). Sections do not nest; one may appear more',
    '  than once. A key outside its section is an error (`WRONG_SECTION`), not a warning: the server would',
    '  otherwise run with a value other than the one the file seems to give.',
    '- The value is the rest of the line: a path may contain spaces. Double quotes around the whole value',
    '  keep spaces at its ends and a ` #` inside (`logfile "/var/log/ftserver #1.log"`).',
    '- A key with no value means what the table says under *Empty*, and otherwise the default.',
    '- Lists of ports, addresses and exporter rates are separated by spaces or commas; `ip2cfile`’s paths by spaces.',
    '- yes/no settings also take `true`/`false`, `on`/`off` and `1`/`0`, in any case; so do `debuglevel`’s names.',
    '- Relative paths are relative to the server’s working directory.',
    '- A key given twice: the last value is used, with a warning.',
    '',
    '## Settings',
    '',
    'A setting marked *no* under *reload* keeps its running value when `SIGHUP` reloads the file; the change',
    'is reported and takes effect at the next start. All others change at reload.',
    '',
    '| setting | value | default | option | reload | meaning |',
    '| --- | --- | --- | --- | --- | --- |',
  );
  for (const s of CONFIG_SETTINGS) {
    p(`| \`${s.path}\` | ${describeValueType(s.type)} | ${defaultCell(s)} | \`${s.flag}\` | ${s.reloadable ? 'yes' : 'no'} | ${meaningCell(s)} |`);
  }
  p(
    '',
    '## Command line',
    '',
    'Every setting has an option (the table above); options override the file. `-c FILE` (or `--config FILE`)',
    'names the file. A value follows the option or is joined to it with `=` (`--netflowport 2055`,',
    '`--netflowport=2055`); a value that starts with `-` needs the `=` form. A list option may repeat, its',
    'values adding up (`--netflowport 2055 --netflowport 9996` is `--netflowport "2055 9996"`). A yes/no',
    'option alone means yes; `--computecrc=no`, `--computecrc no` and `--no-computecrc` mean no. `--` ends',
    'the options. An unknown option is an error.',
    '',
    '```',
    'ftserver --netflowport 2055 --databasepath /var/lib/opentraq/SESSIONDB',
    'ftserver -c /etc/opentraq/ftserver.conf --debuglevel LOW --samplingrate 192.0.2.1=100',
    '```',
    '',
    '## Reload (`SIGHUP`)',
    '',
    'The server reads the file again and applies the same command-line options over it. When the file has',
    'errors, nothing changes and the errors are logged. Otherwise the changed settings take effect, except',
    'those that cannot change while running (reload *no* above), which are logged (`NOT_RELOADABLE`) and keep',
    'their running value.',
    '',
    '## Problems',
    '',
    'Every error of a file (or command line) is reported at once, one line each, starting with the file and',
    'line (or the option): `ftserver.conf:12: sessiontables.timeout \'abc\': expected a whole number of seconds ≥ 0`.',
    'Errors stop the server from starting; warnings are logged and the line has no effect.',
    '',
    '| code | kind | meaning |',
    '| --- | --- | --- |',
  );
  for (const c of CONFIG_PROBLEMS) p(`| \`${c.code}\` | ${c.severity} | ${c.doc} |`);
  p(
    '',
    '## FlowTraq settings that opentraq ignores',
    '',
    'These keys of `flowtraq.conf` are accepted with a `FLOWTRAQ_KEY` warning and have no effect.',
    '',
    '| key | why |',
    '| --- | --- |',
  );
  for (const k of FLOWTRAQ_ONLY_KEYS) p(`| \`${k.path}\` | ${k.why} |`);
  p(
    '',
    '## opentraq extensions',
    '',
    'Settings that FlowTraq’s flowtraq.conf does not have.',
    '',
  );
  for (const s of CONFIG_SETTINGS.filter((x) => x.extension)) p(`- \`${s.path}\` (\`${s.flag}\`): ${s.doc}`);
  p(
    '',
    'Sampling rates are keyed by exporter address, in canonical form (`2001:DB8:0::1` is `2001:db8::1`);',
    'they replace the rate an exporter reports, and apply to exporters that report none.',
    '',
    '## The defaults as a file',
    '',
    '```',
    formatServerConfig(defaultServerConfig(), { comments: true }).trimEnd(),
    '```',
    '',
  );
  return out.join('\n');
}

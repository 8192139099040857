// The --help text of a tool, generated from its spec: synopsis, parameters by group with their GNU
// aliases, defaults and FLOWTRAQ_* variables, real examples, and the exit codes.

import type { OptionDef, OptionGroup } from './optiondef.js';
import type { ToolSpec } from './toolspec.js';

const GROUP_ORDER: readonly OptionGroup[] = ['Query', 'Action', 'Detector', 'Connection', 'Login', 'Time frame', 'Filtering', 'Output', 'Chart'];
const WIDTH = 100;
const MAX_LEFT = 32;

/** Words of `text` filled into lines of at most `width` characters. */
function fill(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

function leftColumn(def: OptionDef): string {
  const names = [`-${def.name}`, ...def.long.map((l) => `--${l}`)].join(', ');
  if (def.kind === 'flag') return names;
  const arg = def.arg ?? 'VALUE';
  return def.kind === 'optional-value' ? `${names} [${arg}]` : `${names} ${arg}`;
}

function rightColumn(def: OptionDef): string {
  const extra = [def.defaultText === undefined ? '' : `default ${def.defaultText}`, def.env === undefined ? '' : `$${def.env}`].filter((s) => s !== '');
  return extra.length === 0 ? def.help : `${def.help} (${extra.join('; ')})`;
}

export function renderHelp(spec: ToolSpec, version: string): string {
  const out: string[] = [`${spec.name} ${version} — ${spec.summary}`, '', `Usage: ${spec.usage}`, ''];
  out.push(...fill(spec.description, WIDTH), '');
  const left = Math.min(MAX_LEFT, Math.max(...spec.options.map((d) => leftColumn(d).length)));
  for (const group of GROUP_ORDER) {
    const defs = spec.options.filter((d) => d.group === group);
    if (defs.length === 0) continue;
    out.push(`${group}:`);
    for (const def of defs) {
      const l = leftColumn(def);
      const text = fill(rightColumn(def), WIDTH - left - 6);
      if (l.length > left) {
        out.push(`  ${l}`);
        for (const t of text) out.push(`  ${' '.repeat(left)}  ${t}`);
      } else {
        text.forEach((t, k) => out.push(`  ${(k === 0 ? l : '').padEnd(left)}  ${t}`));
      }
    }
    out.push('');
  }
  out.push(`  ${'-h, --help'.padEnd(left)}  this text`, `  ${'--version'.padEnd(left)}  the version`, '');
  out.push('Examples:');
  for (const ex of spec.examples) out.push(`  # ${ex.comment}`, `  ${ex.command}`);
  out.push('');
  out.push(
    ...fill(
      'Exit codes: 0 success (also when the result is empty), 1 server-side or runtime failure, 2 usage error (bad parameter, filter or time), 3 authentication failure, 4 cannot connect.',
      WIDTH,
    ),
  );
  out.push(...fill('FLOWTRAQ_LOGIN_TIMEOUT=SECONDS: how long to wait for the server to answer the login (default 60); a query itself is waited for as long as it takes.', WIDTH));
  out.push('Output goes to stdout; progress, session keys, warnings and errors to stderr. Documentation: docs/cli.md');
  return `${out.join('\n')}\n`;
}

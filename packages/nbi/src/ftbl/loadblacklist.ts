// One load of ftbl's list: its text read or downloaded, its lines parsed, its hostnames resolved, and
// the result built into the Blacklist the windows are checked with, with the lines that were skipped.

import { isV4Words, makeCidr, parseIp, type Cidr } from '@opentraq/core';
import { Blacklist } from './blacklist.js';
import { BlacklistError } from './blacklisterror.js';
import type { ListSource } from './listsource.js';
import { plural } from '../output/plural.js';
import { parseBlacklist, type BadLine } from './parseblacklist.js';
import { readListText } from './readlisttext.js';
import { resolveHostnames, type Resolver } from './resolvehostnames.js';

/** Addresses and blocks one list may hold: each window asks the server about every one of them. */
export const MAX_LIST_VALUES = 100_000;

export interface ListLoader {
  readonly source: ListSource;
  readonly resolve: Resolver;
  /** The most characters one encoded ADDR=... filter term may take. */
  readonly termBudget: number;
  /** Lookup time limit per hostname, ms. */
  readonly resolveTimeoutMs?: number;
  /** Download time limit, ms. */
  readonly downloadTimeoutMs?: number;
}

export interface LoadedList {
  readonly list: Blacklist;
  /** Lines that were not used, in line order: malformed ones and hostnames that did not resolve. */
  readonly bad: readonly BadLine[];
  /** Of `bad`, the hostnames that did not resolve (the others are malformed). */
  readonly unresolved: number;
  /** Entries in use: addresses, blocks and hostnames that resolved (skipped lines are not entries). */
  readonly entries: number;
}

function addressCidr(address: string): Cidr | null {
  const w = parseIp(address);
  if (w === null) return null;
  const v4 = isV4Words(w[0], w[1], w[2]);
  return makeCidr(w, v4 ? 32 : 128, v4);
}

/** Loads the list once; BlacklistError when nothing usable came of it, Stopped when `signal` aborts. */
export async function loadBlacklist(loader: ListLoader, signal: AbortSignal, nowMs: number): Promise<LoadedList> {
  const { source } = loader;
  const text = await readListText(source, signal, loader.downloadTimeoutMs);
  const parsed = parseBlacklist(text);
  const hosts = parsed.entries.flatMap((e) => (e.kind === 'hostname' ? [e.host] : []));
  const resolved = await resolveHostnames(hosts, loader.resolve, signal, loader.resolveTimeoutMs);
  const bad: BadLine[] = [...parsed.bad];
  const listed: { cidr: Cidr; entry: { line: number; text: string } }[] = [];
  let addresses = 0;
  let blocks = 0;
  let hostnames = 0;
  let hostAddresses = 0;
  for (const e of parsed.entries) {
    const entry = { line: e.line, text: e.text };
    if (e.kind !== 'hostname') {
      if (e.kind === 'address') addresses++;
      else blocks++;
      listed.push({ cidr: e.cidr, entry });
      continue;
    }
    const r = resolved.get(e.host)!;
    const cidrs = r.addresses.map(addressCidr).filter((c): c is Cidr => c !== null);
    if (cidrs.length === 0) {
      bad.push({ line: e.line, text: e.text, why: `'${e.text}' does not resolve: ${r.failure ?? 'no usable address'}` });
      continue;
    }
    hostnames++;
    hostAddresses += cidrs.length;
    for (const cidr of cidrs) listed.push({ cidr, entry });
  }
  const unresolved = bad.length - parsed.bad.length;
  bad.sort((a, b) => a.line - b.line);
  if (listed.length === 0) {
    const lines = parsed.entries.length + parsed.bad.length;
    const first = bad
      .slice(0, 3)
      .map((b) => `line ${b.line}: ${b.why}`)
      .join('; ');
    const why =
      lines === 0
        ? 'it has no entries (only blank lines and comments)'
        : `none of its ${plural(lines, 'entry', 'entries')} is a usable address, block or hostname (${first}${bad.length > 3 ? '; ...' : ''})`;
    throw new BlacklistError('LIST_EMPTY', `the list ${source.display} is empty: ${why}`);
  }
  const list = new Blacklist(listed, loader.termBudget, { addresses, blocks, hostnames, hostAddresses }, nowMs);
  if (list.size > MAX_LIST_VALUES) {
    throw new BlacklistError('LIST_TOO_LARGE', `the list ${source.display} holds ${list.size} addresses and blocks; ftbl takes at most ${MAX_LIST_VALUES} (every window asks the server about each)`);
  }
  return { list, bad, unresolved, entries: addresses + blocks + hostnames };
}

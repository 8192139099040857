// Addresses as four big-endian 32-bit words, the in-memory form of `ip` columns.
// IPv4 is held IPv4-mapped (::ffff:a.b.c.d) so one comparison path serves both families.

export type IpWords = [number, number, number, number];

export const V4_MAPPED_W2 = 0x0000ffff;

export function isV4Words(w0: number, w1: number, w2: number): boolean {
  return w0 === 0 && w1 === 0 && w2 === V4_MAPPED_W2;
}

/** Parse dotted-quad IPv4; returns the 32-bit value or -1. */
export function parseIpv4(s: string): number {
  const parts = s.split('.');
  if (parts.length !== 4) return -1;
  let v = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return -1;
    const n = Number(p);
    if (n > 255) return -1;
    v = v * 256 + n;
  }
  return v;
}

/** Parse an IPv4 or IPv6 address (no prefix) into words; null when malformed. */
export function parseIp(s: string): IpWords | null {
  if (s.includes(':')) return parseIpv6(s);
  const v4 = parseIpv4(s);
  return v4 < 0 ? null : [0, 0, V4_MAPPED_W2, v4 >>> 0];
}

function parseIpv6(s: string): IpWords | null {
  let text = s;
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const groups: number[] = [];
  const dbl = text.indexOf('::');
  if (dbl !== text.lastIndexOf('::')) return null;
  const parseSide = (side: string): number[] | null => {
    if (side === '') return [];
    const out: number[] = [];
    const items = side.split(':');
    for (let i = 0; i < items.length; i++) {
      const it = items[i]!;
      if (i === items.length - 1 && it.includes('.')) {
        const v4 = parseIpv4(it);
        if (v4 < 0) return null;
        out.push(v4 >>> 16, v4 & 0xffff);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(it)) return null;
        out.push(parseInt(it, 16));
      }
    }
    return out;
  };
  if (dbl >= 0) {
    const head = parseSide(text.slice(0, dbl));
    const tail = parseSide(text.slice(dbl + 2));
    if (!head || !tail) return null;
    const fill = 8 - head.length - tail.length;
    if (fill < 1) return null;
    groups.push(...head, ...new Array<number>(fill).fill(0), ...tail);
  } else {
    const all = parseSide(text);
    if (!all || all.length !== 8) return null;
    groups.push(...all);
  }
  return [
    ((groups[0]! << 16) | groups[1]!) >>> 0,
    ((groups[2]! << 16) | groups[3]!) >>> 0,
    ((groups[4]! << 16) | groups[5]!) >>> 0,
    ((groups[6]! << 16) | groups[7]!) >>> 0,
  ];
}

function v4String(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** Format four words: dotted quad for IPv4-mapped, RFC 5952 text for IPv6. */
export function formatIp(w0: number, w1: number, w2: number, w3: number): string {
  if (isV4Words(w0, w1, w2)) return v4String(w3 >>> 0);
  const g = [w0 >>> 16, w0 & 0xffff, w1 >>> 16, w1 & 0xffff, w2 >>> 16, w2 & 0xffff, w3 >>> 16, w3 & 0xffff];
  // RFC 5952: compress the longest run (length >= 2) of zero groups, the first on ties.
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (a: number[]): string => a.map((x) => x.toString(16)).join(':');
  if (bestAt < 0) return hex(g);
  return `${hex(g.slice(0, bestAt))}::${hex(g.slice(bestAt + bestLen))}`;
}

/** Format the address at row `i` of an ip column. */
export function formatIpAt(col: Uint32Array, i: number): string {
  const o = i * 4;
  return formatIp(col[o]!, col[o + 1]!, col[o + 2]!, col[o + 3]!);
}

/** Write words into row `i` of an ip column. */
export function setIpAt(col: Uint32Array, i: number, w: IpWords): void {
  const o = i * 4;
  col[o] = w[0];
  col[o + 1] = w[1];
  col[o + 2] = w[2];
  col[o + 3] = w[3];
}

/** A CIDR block as masked words and per-word masks. */
export interface Cidr {
  readonly words: IpWords;
  readonly masks: IpWords;
  /** Prefix length in the 128-bit space (IPv4 /n is 96 + n). */
  readonly bits: number;
  readonly v4: boolean;
}

/** Build a block from words and a prefix length in the address's own family. */
export function makeCidr(w: IpWords, prefix: number, v4: boolean): Cidr {
  const bits = v4 ? 96 + prefix : prefix;
  const masks: number[] = [];
  for (let k = 0; k < 4; k++) {
    const b = Math.max(0, Math.min(32, bits - 32 * k));
    masks.push(b === 0 ? 0 : b === 32 ? 0xffffffff : (0xffffffff << (32 - b)) >>> 0);
  }
  const m = masks as IpWords;
  return {
    words: [(w[0] & m[0]) >>> 0, (w[1] & m[1]) >>> 0, (w[2] & m[2]) >>> 0, (w[3] & m[3]) >>> 0],
    masks: m,
    bits,
    v4,
  };
}

/** 48-bit MAC from `aa:bb:cc:dd:ee:ff` (also `-` separated or Cisco dotted `aabb.ccdd.eeff`); -1 when malformed. */
export function parseMac(s: string): number {
  let hex: string;
  if (/^[0-9a-fA-F]{1,2}([:-][0-9a-fA-F]{1,2}){5}$/.test(s)) {
    hex = s
      .split(/[:-]/)
      .map((p) => p.padStart(2, '0'))
      .join('');
  } else if (/^[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}$/.test(s)) {
    hex = s.replace(/\./g, '');
  } else {
    return -1;
  }
  return parseInt(hex, 16);
}

export function formatMac(v: number): string {
  const hex = v.toString(16).padStart(12, '0');
  return hex.match(/../g)!.join(':');
}

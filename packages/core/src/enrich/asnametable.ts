// The registered names of autonomous systems, held as one string with offsets (not one object per
// AS) so that the 80,000-odd names of a full ASN database cost a few megabytes and load in one piece.

export class AsNameTable {
  /** AS numbers with a name, ascending. */
  readonly asns: Uint32Array;
  /** All names, concatenated in the order of `asns`. */
  readonly text: string;
  /** Name i is text.slice(offsets[i], offsets[i + 1]); one more entry than `asns`. */
  readonly offsets: Uint32Array;

  /** Throws RangeError when the parts do not fit together. */
  constructor(asns: Uint32Array, text: string, offsets: Uint32Array) {
    if (offsets.length !== asns.length + 1 || offsets[0] !== 0 || offsets[asns.length] !== text.length) {
      throw new RangeError('AS name table: offsets do not match the names');
    }
    for (let i = 1; i < asns.length; i++) if (asns[i]! <= asns[i - 1]!) throw new RangeError('AS name table: AS numbers are not ascending');
    for (let i = 1; i < offsets.length; i++) if (offsets[i]! < offsets[i - 1]!) throw new RangeError('AS name table: offsets are not ascending');
    this.asns = asns;
    this.text = text;
    this.offsets = offsets;
  }

  /** Build from AS number → name; empty names are left out. */
  static fromMap(names: ReadonlyMap<number, string>): AsNameTable {
    const entries = [...names].filter(([, name]) => name !== '').sort((a, b) => a[0] - b[0]);
    const asns = new Uint32Array(entries.length);
    const offsets = new Uint32Array(entries.length + 1);
    const parts: string[] = [];
    let at = 0;
    for (let i = 0; i < entries.length; i++) {
      asns[i] = entries[i]![0];
      parts.push(entries[i]![1]);
      at += entries[i]![1].length;
      offsets[i + 1] = at;
    }
    return new AsNameTable(asns, parts.join(''), offsets);
  }

  /** The registered name of an AS, or '' when the data has none. */
  name(asn: number): string {
    const a = this.asns;
    let lo = 0;
    let hi = a.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = a[mid]!;
      if (v === asn) return this.text.slice(this.offsets[mid]!, this.offsets[mid + 1]!);
      if (v < asn) lo = mid + 1;
      else hi = mid - 1;
    }
    return '';
  }

  get size(): number {
    return this.asns.length;
  }
}

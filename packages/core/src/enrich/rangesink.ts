// What a data file is read into: the ranges of one kind of data (country or ASN), per address
// family, plus AS names; several files of the same kind read into one sink.

import { RangeBuilder } from './rangebuilder.js';

/** The two kinds of address data: a country code per address, an AS number (with its name) per address. */
export type DataKind = 'country' | 'asn';

export class RangeSink {
  readonly kind: DataKind;
  readonly v4 = new RangeBuilder(1);
  readonly v6 = new RangeBuilder(4);
  /** AS number → registered name (ASN data only); the first name a file gives for an AS is kept. */
  readonly names = new Map<number, string>();

  constructor(kind: DataKind) {
    this.kind = kind;
  }

  addName(asn: number, name: string): void {
    if (asn !== 0 && name !== '' && !this.names.has(asn)) this.names.set(asn, name);
  }
}

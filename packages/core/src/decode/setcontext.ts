// The per-data-set values a compiled flow plan reads: export time, uptime, the exporter, the sampling
// rate in force. One instance per decoder is refilled for every set, so the hot loop allocates nothing.

export class SetContext {
  /** Export time of the message, µs since the epoch. */
  exportUs = 0;
  /** Exporter uptime at export time, ms modulo 2^32 (for sysUpTime-relative fields). */
  uptime = 0;
  /** Sampling rate and origin that apply unless the record says otherwise. */
  rate = 1;
  origin = 0;
  /** 1 when a configured override fixes the rate: in-record sampling fields are then ignored. */
  locked = 0;
  /** Exporter address words. */
  e0 = 0;
  e1 = 0;
  e2 = 0;
  e3 = 0;
  srcId = 0;
  expv = 0;
  /** Set by the plan when a record overran the set. */
  bad = 0;
  samplers: ReadonlyMap<number, number> | null = null;
  /** Interface-scoped rates of the domain (ifIndex → rate), null when it has none. */
  interfaceRates: ReadonlyMap<number, number> | null = null;
  /** The domain's biflowDirection from options data as an `initiator` value, for biflow records without their own (0: none). */
  initiator = 0;

  /** Rate of a sampler / selector id from options data, 0 when unknown. */
  samplerRate(id: number): number {
    const s = this.samplers;
    if (s === null) return 0;
    return s.get(id) ?? 0;
  }
}

// Reads options data records (v9 and IPFIX) into the exporter's state: sampling rates and algorithms (per sampler,
// interface, template or domain; charged to the sampling budget), boot time, biflowDirection, interface names. Cold path.

import { text, uint, u16 } from './bytes.js';
import { OPT, V9_SCOPE } from './elements.js';
import type { DomainState, ExporterState, InterfaceLimits } from './exporterstate.js';
import { VARLEN, type Template } from './template.js';

export interface OptionsLimits extends InterfaceLimits {
  readonly maxSamplersPerDomain: number;
}

export interface OptionsSetResult {
  records: number;
  /** A record overran the set. */
  bad: boolean;
  /** Values not stored because a table was full. */
  refused: number;
  /** Interface names not stored because of the interface byte budgets. */
  overBudget: number;
  /** Sampling rates not stored because of the decoder-wide sampling budget. */
  samplingOverBudget: number;
}

/** Why a new sampling rate was not stored: its table is full (options_limit), or the budget is (sampling_budget). */
type RateRoom = 'ok' | 'limit' | 'budget';

/**
 * Store rate `v` under `k`: replacing a rate costs nothing; a new one must fit the table's `max`
 * entries and the decoder-wide sampling budget, which it is charged to.
 */
function putRate(m: Map<number, number>, k: number, v: number, max: number, st: ExporterState, established: boolean): RateRoom {
  if (!m.has(k)) {
    if (m.size >= max) return 'limit';
    if (!st.chargeSampling(established)) return 'budget';
  }
  m.set(k, v);
  return 'ok';
}

/** The algorithm goes with the rate just stored under `k`: kept only for keys that have a rate. */
function putAlgorithm(m: Map<number, number>, k: number, algorithm: number): void {
  if (algorithm > 0) m.set(k, algorithm);
  else m.delete(k);
}

/** RFC 5103 biflowDirection as an `initiator` column value (FlowInitiator): 0 for values it does not define. */
function initiatorOf(v: number): number {
  return v === 1 ? 1 : v === 2 ? 2 : v === 0 || v === 3 ? 3 : 0;
}

/**
 * Decode the options records in b[p, end) for template `t`. `established`: the exporter may fill the
 * whole decoder-wide interface budget, not only the new exporters' share.
 */
export function decodeOptionsSet(
  b: Uint8Array,
  p: number,
  end: number,
  t: Template,
  st: ExporterState,
  dom: DomainState,
  limits: OptionsLimits,
  established: boolean,
): OptionsSetResult {
  const res: OptionsSetResult = { records: 0, bad: false, refused: 0, overBudget: 0, samplingOverBudget: 0 };
  const layout = t.layout;
  const count = layout.length / 2;
  const minLen = t.minLen;
  while (end - p >= minLen) {
    let samplerId = -1;
    let interval = 0;
    let randomInterval = 0;
    let pktInterval = 0;
    let pktSpace = 0;
    let size = 0;
    let population = 0;
    let algorithm = 0;
    let templateId = -1;
    let ifIndex = -1;
    let egressIf = -1;
    let biflowDirection = -1;
    let name: string | undefined;
    let desc: string | undefined;
    let sysInit = Number.NaN;
    let q = p;
    for (let k = 0; k < count; k++) {
      const w = layout[2 * k]!;
      const id = w >>> 16;
      const pen = layout[2 * k + 1]!;
      let len = w & 0xffff;
      if (len === VARLEN) {
        if (q >= end) return { ...res, bad: true };
        len = b[q++]!;
        if (len === 255) {
          if (q + 2 > end) return { ...res, bad: true };
          len = u16(b, q);
          q += 2;
        }
      }
      if (q + len > end) return { ...res, bad: true };
      if (t.version === 9 && k < t.scopeCount) {
        if (id === V9_SCOPE.interface && len >= 1 && len <= 8) ifIndex = uint(b, q, len);
      } else if (pen === 0) {
        switch (id) {
          case OPT.ingressInterface:
            if (ifIndex < 0 && len >= 1 && len <= 8) ifIndex = uint(b, q, len);
            break;
          case OPT.egressInterface:
            if (len >= 1 && len <= 8) egressIf = uint(b, q, len);
            break;
          case OPT.biflowDirection:
            if (len >= 1 && len <= 8) biflowDirection = uint(b, q, len);
            break;
          case OPT.samplerId:
          case OPT.selectorId:
            if (len >= 1 && len <= 8) samplerId = uint(b, q, len);
            break;
          case OPT.samplingInterval:
            interval = uint(b, q, len);
            break;
          case OPT.samplingAlgorithm:
          case OPT.samplerMode:
            if (len >= 1 && len <= 8) algorithm = uint(b, q, len);
            break;
          case OPT.samplerRandomInterval:
            randomInterval = uint(b, q, len);
            break;
          case OPT.samplingPacketInterval:
            pktInterval = uint(b, q, len);
            break;
          case OPT.samplingPacketSpace:
            pktSpace = uint(b, q, len);
            break;
          case OPT.samplingSize:
            size = uint(b, q, len);
            break;
          case OPT.samplingPopulation:
            population = uint(b, q, len);
            break;
          case OPT.templateId:
            if (len >= 1 && len <= 8) templateId = uint(b, q, len);
            break;
          case OPT.interfaceName:
            name = text(b, q, len);
            break;
          case OPT.interfaceDescription:
            desc = text(b, q, len);
            break;
          case OPT.systemInitTimeMilliseconds:
            if (len >= 1 && len <= 8) sysInit = uint(b, q, len);
            break;
        }
      }
      q += len;
    }
    p = q;
    res.records++;

    if (sysInit > 0) dom.sysInitMs = sysInit;
    const rate =
      interval > 0
        ? interval
        : randomInterval > 0
          ? randomInterval
          : pktInterval > 0
            ? (pktInterval + pktSpace) / pktInterval
            : size > 0 && population >= size
              ? population / size
              : 0;
    if (biflowDirection >= 0) dom.initiator = initiatorOf(biflowDirection);
    if (rate > 0) {
      const r = Math.max(1, Math.round(rate));
      // The most specific scope the record names; a sampler id scoped to an interface is kept under both.
      const rateIf = ifIndex >= 0 ? ifIndex : egressIf;
      const stored = (room: RateRoom): boolean => {
        if (room === 'limit') res.refused++;
        else if (room === 'budget') res.samplingOverBudget++;
        return room === 'ok';
      };
      if (samplerId >= 0) {
        if (stored(putRate(dom.samplers, samplerId, r, limits.maxSamplersPerDomain, st, established))) putAlgorithm(dom.samplerAlgorithms, samplerId, algorithm);
      }
      if (rateIf >= 0) {
        // The interface limit is per exporter, over all its domains.
        const isNew = !dom.interfaceRates.has(rateIf);
        const max = isNew && st.interfaceRateCount >= limits.maxInterfacesPerExporter ? 0 : Infinity;
        if (stored(putRate(dom.interfaceRates, rateIf, r, max, st, established))) {
          if (isNew) st.interfaceRateCount++;
          putAlgorithm(dom.interfaceAlgorithms, rateIf, algorithm);
        }
      }
      if (samplerId < 0 && rateIf < 0) {
        if (templateId >= 0) {
          if (stored(putRate(dom.templateRates, templateId, r, limits.maxSamplersPerDomain, st, established))) putAlgorithm(dom.templateAlgorithms, templateId, algorithm);
        } else {
          dom.defaultRate = r;
          dom.defaultAlgorithm = algorithm;
        }
      }
    }
    if (ifIndex >= 0 && (name !== undefined || desc !== undefined)) {
      const old = st.interfaces.get(ifIndex);
      const info = { name: name ?? old?.name ?? '', description: desc ?? old?.description ?? '' };
      const room = st.putInterface(ifIndex, info, limits, established);
      if (room === 'options_limit') res.refused++;
      else if (room === 'interface_budget') res.overBudget++;
    }
  }
  return res;
}

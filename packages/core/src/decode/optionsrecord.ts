// Reads options data records (v9 and IPFIX) into the exporter's state: sampling rates per sampler id,
// (with the sampling algorithm) per template or per domain, the system init time, and interface names.
// Cold path: an interpreter.

import { text, uint, u16 } from './bytes.js';
import { OPT, V9_SCOPE } from './elements.js';
import type { DomainState, ExporterState } from './exporterstate.js';
import { VARLEN, type Template } from './template.js';

export interface OptionsLimits {
  readonly maxSamplersPerDomain: number;
  readonly maxInterfacesPerExporter: number;
}

export interface OptionsSetResult {
  records: number;
  /** A record overran the set. */
  bad: boolean;
  /** Values not stored because a table was full. */
  refused: number;
}

function putBounded(m: Map<number, number>, k: number, v: number, max: number): boolean {
  if (!m.has(k) && m.size >= max) return false;
  m.set(k, v);
  return true;
}

/** The algorithm goes with the rate just stored under `k`: kept only for keys that have a rate. */
function putAlgorithm(m: Map<number, number>, k: number, algorithm: number): void {
  if (algorithm > 0) m.set(k, algorithm);
  else m.delete(k);
}

/** Decode the options records in b[p, end) for template `t`. */
export function decodeOptionsSet(
  b: Uint8Array,
  p: number,
  end: number,
  t: Template,
  st: ExporterState,
  dom: DomainState,
  limits: OptionsLimits,
): OptionsSetResult {
  const res: OptionsSetResult = { records: 0, bad: false, refused: 0 };
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
    if (rate > 0) {
      const r = Math.max(1, Math.round(rate));
      if (samplerId >= 0) {
        if (putBounded(dom.samplers, samplerId, r, limits.maxSamplersPerDomain)) putAlgorithm(dom.samplerAlgorithms, samplerId, algorithm);
        else res.refused++;
      } else if (templateId >= 0) {
        if (putBounded(dom.templateRates, templateId, r, limits.maxSamplersPerDomain)) putAlgorithm(dom.templateAlgorithms, templateId, algorithm);
        else res.refused++;
      } else {
        dom.defaultRate = r;
        dom.defaultAlgorithm = algorithm;
      }
    }
    if (ifIndex >= 0 && (name !== undefined || desc !== undefined)) {
      const old = st.interfaces.get(ifIndex);
      if (old === undefined && st.interfaces.size >= limits.maxInterfacesPerExporter) {
        res.refused++;
      } else {
        st.interfaces.set(ifIndex, { name: name ?? old?.name ?? '', description: desc ?? old?.description ?? '' });
      }
    }
  }
  return res;
}

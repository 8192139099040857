// A ranking as the API's JSON answer: {columns, data, summary, series?}, the rows as arrays
// in the order of `columns` (the CSV contract of cli.md), the summary's instants as epoch seconds.

import type { RankResult } from '@opentraq/core';
import { skippedSegmentJson } from '../../query/index.js';
import type { RowExtras } from './rowextras.js';
import { epochSeconds, statTable } from './stattable.js';

/**
 * Volumes are rounded to the nearest integer, percent to six decimals. Entity values that are
 * addresses, MACs, country codes or TCP flags are strings; ports, protocols, ToS, interfaces,
 * VLANs and ASNs are numbers. An unknown extra (no AS, no service name) is null.
 * `summary`: sessions, packets and bytes of the selection, the number of distinct entities,
 * the total the percents are of, the frame [from, to) in UTC epoch seconds, and `skipped` (only
 * when there are any): the segments left out as damaged, whose sessions the figures lack.
 * `series` (with slices): the n + 1 slice bounds and, per slice, the sum over the entities not shown.
 */
export function renderStatJson(r: RankResult, extras: RowExtras): string {
  const { columns, data } = statTable(r, extras);
  const summary = {
    sessions: r.summary.sessions,
    packets: Math.round(r.summary.packets),
    bytes: Math.round(r.summary.bytes),
    entities: r.summary.entities,
    total: Math.round(r.total),
    from: epochSeconds(r.fromUs),
    to: epochSeconds(r.toUs),
    ...(r.summary.skipped.length > 0 && { skipped: r.summary.skipped.map(skippedSegmentJson) }),
  };
  const series = r.slices === null ? undefined : { bounds: r.slices.bounds.map(epochSeconds), other: r.slices.other.map((v) => Math.round(v)) };
  return `${JSON.stringify({ columns, data, summary, ...(series !== undefined && { series }) })}\n`;
}

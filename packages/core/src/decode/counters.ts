// The decoder's counters, per exporter and in total: why input was dropped (drop reasons) and what
// happened to templates, held data and sFlow samples (events). Names are stable: metrics and logs use them.

export interface CounterDef {
  readonly name: CounterName;
  /** `drop`: input (a datagram, a set, a record, a template) was discarded; `event`: normal activity. */
  readonly kind: 'drop' | 'event';
  readonly doc: string;
}

export const COUNTER_DEFS = [
  { name: 'datagrams', kind: 'event', doc: 'export datagrams (or IPFIX messages from a TCP stream) handed to the decoder' },
  { name: 'flows', kind: 'event', doc: 'flow records written to the FlowBatch' },
  { name: 'options_records', kind: 'event', doc: 'options data records read (sampling, interface names, system init time, ...)' },
  { name: 'templates_added', kind: 'event', doc: 'templates and options templates learnt for the first time' },
  { name: 'templates_refreshed', kind: 'event', doc: 'templates sent again unchanged (their timeout restarts)' },
  { name: 'templates_changed', kind: 'event', doc: 'templates sent again with a different layout (replaced)' },
  { name: 'templates_withdrawn', kind: 'event', doc: 'templates removed by an IPFIX template withdrawal' },
  { name: 'templates_expired', kind: 'event', doc: 'templates dropped because they were not refreshed within templateTimeoutMs (UDP only)' },
  { name: 'sets_held', kind: 'event', doc: 'data sets kept because their template had not arrived yet' },
  { name: 'held_sets_decoded', kind: 'event', doc: 'held data sets decoded when their template arrived' },
  { name: 'flow_samples', kind: 'event', doc: 'sFlow flow samples read (compact and expanded)' },
  { name: 'counter_samples', kind: 'event', doc: 'sFlow counter samples read (compact and expanded)' },
  { name: 'interface_counters', kind: 'event', doc: 'sFlow generic interface counter records stored (decoder.interfaceCounters)' },
  { name: 'samples_skipped', kind: 'event', doc: 'sFlow samples of a format not decoded (discard notifications, enterprise formats), skipped by their length' },
  { name: 'records_skipped', kind: 'event', doc: 'sFlow flow or counter records not used (extended router, user, URL, MPLS, NAT ..., Ethernet, LAG, processor, host counters, enterprise formats), skipped by their length' },
  { name: 'samples_not_ip', kind: 'event', doc: 'sFlow flow samples whose packet is not IPv4 / IPv6 (ARP, LLDP, ..., a header protocol not decoded, or no packet data): no row' },
  { name: 'truncated', kind: 'drop', doc: 'datagram shorter than its header, its record count, a set length or its sFlow sample count says (the rest of the datagram is dropped)' },
  { name: 'bad_version', kind: 'drop', doc: 'version field is not 1, 5, 7, 9 or 10 (decode), or not 2, 4 or 5 (decodeSflow)' },
  { name: 'bad_length', kind: 'drop', doc: 'an IPFIX message length or a set length is impossible (< header size, zero, not matching the datagram)' },
  { name: 'bad_set_id', kind: 'drop', doc: 'a set id in the reserved range (v9: 2-255, IPFIX: 0, 1, 4-255); that set is skipped' },
  { name: 'bad_template', kind: 'drop', doc: 'a template that cannot be used: id < 256, no fields, fields overrunning the set, records of length 0 or longer than any set can hold, too many fields, scope count 0 or above the field count; the rest of that template set is skipped' },
  { name: 'template_limit', kind: 'drop', doc: 'a new template was refused because the exporter already has maxTemplatesPerExporter' },
  { name: 'bad_record', kind: 'drop', doc: 'a data record overruns its set (variable-length field too long), or a set holds non-padding bytes but no whole record; the rest of the set is dropped' },
  { name: 'unknown_template_dropped', kind: 'drop', doc: 'a data set without template that could not be held (holding disabled, or the oldest held set pushed out by the per-exporter limits)' },
  { name: 'unknown_template_expired', kind: 'drop', doc: 'a held data set whose template did not arrive within pendingMaxAgeMs' },
  { name: 'exporter_evicted', kind: 'drop', doc: 'an exporter forgotten (templates, held sets, options) to make room for a new one in the full exporter table (the least recently seen not yet proven, else a proven one silent for exporterIdleMs); counted in the totals' },
  { name: 'decoder_error', kind: 'drop', doc: 'the decoder met a condition it does not handle (a bug): the datagram was dropped and its rows removed' },
  { name: 'options_limit', kind: 'drop', doc: 'an options value (sampler rate, interface rate, interface name) not stored because its per-domain or per-exporter table is full' },
  { name: 'bad_agent', kind: 'drop', doc: 'an sFlow agent address type other than 0 (unknown), 1 (IPv4) or 2 (IPv6): the datagram is dropped' },
  { name: 'bad_sample', kind: 'drop', doc: 'an sFlow v5 sample shorter than its fixed fields (that sample is dropped) or with a length running past the datagram (the rest of the datagram is dropped); v2/v4: a sample, packet-data, extended-data or counters type not known (those versions carry no lengths to skip by: the rest of the datagram is dropped)' },
  { name: 'bad_sample_record', kind: 'drop', doc: 'an sFlow flow or counter record whose length runs past its sample or is shorter than its fixed fields; the rest of that sample is dropped (a flow row is still written from the records before it)' },
  { name: 'bad_count', kind: 'drop', doc: 'an sFlow sample count or v2/v4 extended-data count (datagram dropped), or a v5 record count (sample dropped), larger than the bytes could hold' },
  { name: 'bad_packet_header', kind: 'drop', doc: 'an sFlow sampled packet header cut short before the IP addresses or with an impossible IP header, and no decoded IPv4 / IPv6 record: no row' },
  { name: 'counters_evicted', kind: 'drop', doc: 'sFlow interface counters forgotten to make room in the datagram source\'s own tables: its agents (maxSflowAgentsPerExporter), an agent\'s interfaces (maxInterfacesPerExporter) or its bytes (maxSflowCounterBytesPerExporter); least recently updated first' },
  { name: 'domain_limit', kind: 'drop', doc: 'a new template was refused because its source id / observation domain would be one more than maxDomainsPerExporter' },
  { name: 'template_budget', kind: 'drop', doc: 'a new or changed template was refused because the decoder-wide maxTemplateBytesTotal or maxFlowPlans is reached (exporters not yet established: 3/4 of it); a changed template\'s old layout is forgotten too' },
  { name: 'held_budget', kind: 'drop', doc: 'a data set without template not held because the decoder-wide maxHeldBytesTotal is reached (exporters not yet established: 3/4 of it)' },
  { name: 'clock_skew_corrected', kind: 'event', doc: 'flow records whose start and end were shifted by the exporter\'s measured clock skew (clockSkewThresholdMs)' },
  { name: 'too_old', kind: 'drop', doc: 'a flow record that ended more than ignoreOldFlowsUs before it was received (netflow.ignoreoldnetflows): not stored' },
  { name: 'clock_events_lost', kind: 'event', doc: 'clock skew notices dropped, oldest first, because 1024 were waiting for drainEvents(); counted in the totals' },
  { name: 'exporter_refused', kind: 'drop', doc: 'a datagram from an exporter not in the full exporter table, dropped because every exporter in it has proven itself (flows from two datagrams) and none has been silent for exporterIdleMs; counted in the totals' },
  { name: 'interface_budget', kind: 'drop', doc: 'an interface name or description from options data not stored because the exporter\'s maxInterfaceBytesPerExporter or the decoder-wide maxInterfaceBytesTotal (exporters not yet established: 3/4 of it) is reached' },
  { name: 'truncated_stream', kind: 'drop', doc: 'an IPFIX-over-TCP connection closed in the middle of a message: the part of it received is dropped' },
  { name: 'held_sets_lost', kind: 'drop', doc: 'held data sets forgotten with their exporter: evicted from the full exporter table (counted in the totals) or forgotten (forget(), a closed TCP connection)' },
  { name: 'templates_flapped', kind: 'event', doc: 'templates changed back to a layout they had before their last change (two exporters behind one address with the same source id, or an exporter alternating): the compiled decoder is reused, not rebuilt' },
  { name: 'counter_budget', kind: 'drop', doc: 'sFlow interface counters of a new agent or interface not stored because the decoder-wide maxSflowCounterBytesTotal is reached (exporters not yet established: 3/4 of it)' },
  { name: 'sampling_budget', kind: 'drop', doc: 'a sampling rate from options data (per sampler, template or interface) not stored because the decoder-wide maxSamplingBytesTotal is reached (exporters not yet established: 3/4 of it)' },
] as const satisfies readonly { name: string; kind: 'drop' | 'event'; doc: string }[];

export type CounterName = (typeof COUNTER_DEFS)[number]['name'];

/** Index of each counter in a counter array. */
export const C = Object.fromEntries(COUNTER_DEFS.map((d, i) => [d.name, i])) as { readonly [K in CounterName]: number };

export const COUNTER_NAMES: readonly CounterName[] = COUNTER_DEFS.map((d) => d.name);

/** The drop reasons alone, in a stable order. */
export const DROP_REASONS: readonly CounterName[] = COUNTER_DEFS.filter((d) => d.kind === 'drop').map((d) => d.name);

export type DecodeCounters = Record<CounterName, number>;

export function newCounterArray(): Float64Array {
  return new Float64Array(COUNTER_DEFS.length);
}

export function countersToObject(a: Float64Array): DecodeCounters {
  const out = {} as Record<CounterName, number>;
  for (let i = 0; i < COUNTER_DEFS.length; i++) out[COUNTER_DEFS[i]!.name] = a[i]!;
  return out;
}

// The field registry: the NetFlow v9 / IPFIX information elements the decoder uses, how each is read
// and which FlowBatch value it feeds. Elements not listed here are skipped by their length.

/**
 * What a decoded element becomes. Most slots are one FlowBatch column; address slots are resolved per
 * family (IPv4 and IPv6 both present: the non-zero one wins), times and sampling are combined after
 * the record is read (see compileflowplan.ts).
 */
export type Slot =
  | 'srcAddr4' | 'srcAddr6' | 'dstAddr4' | 'dstAddr6'
  | 'xsrc4' | 'xsrc6' | 'xdst4' | 'xdst6'
  | 'srcPort' | 'dstPort' | 'proto' | 'tos' | 'tcpFlags' | 'inIf' | 'outIf' | 'srcAs' | 'dstAs'
  | 'srcVlan' | 'dstVlan' | 'srcMac' | 'dstMac' | 'mplsLabel' | 'direction' | 'biflowDir'
  | 'fwEvent' | 'fwExtEvent' | 'xlateSrcPort' | 'xlateDstPort' | 'endReason'
  | 'packets' | 'bytes' | 'revPackets' | 'revBytes'
  | 'start' | 'end' | 'obs'
  | 'icmp' | 'icmpType' | 'icmpCode'
  | 'sInterval' | 'sPktInterval' | 'sPktSpace' | 'sSize' | 'sPopulation' | 'samplerId';

/** How the bytes of an element are read. */
export type ElementKind =
  /** unsigned integer, any length 1-8 (IPFIX reduced-size encoding) */
  | 'uint'
  /** a DSCP (6 bits, any length 1-8): the ToS byte it stands for is dscp << 2 */
  | 'dscp'
  /** an IP precedence (3 bits, any length 1-8): the ToS byte it stands for is precedence << 5 */
  | 'precedence'
  /** IPv4 address, length 4 */
  | 'ipv4'
  /** IPv6 address, length 16 */
  | 'ipv6'
  /** MAC address, length 6 */
  | 'mac'
  /** MPLS label stack entry, length 3: label = top 20 bits */
  | 'mpls'
  /** seconds since the Unix epoch */
  | 'secs'
  /** milliseconds since the Unix epoch */
  | 'millis'
  /** NTP 64-bit timestamp, microsecond precision (IE 154/155/324) */
  | 'ntpMicros'
  /** NTP 64-bit timestamp, nanosecond precision, kept to the microsecond (IE 156/157/325) */
  | 'ntpNanos'
  /** milliseconds since exporter boot (sysUpTime), 32-bit, wraps */
  | 'uptime'
  /** microseconds before the export time of the message (IE 158/159) */
  | 'deltaMicros';

export interface ElementDef {
  readonly ie: number;
  /** Private enterprise number; 0 for IANA elements (and all NetFlow v9 field types). */
  readonly pen: number;
  readonly name: string;
  readonly slot: Slot;
  readonly kind: ElementKind;
  /** When a template carries several elements for one slot, the lowest rank is used, the others skipped. */
  readonly rank: number;
  /** Only meaningful in NetFlow v9 (Cisco field types above 32767, which IPFIX would read as enterprise-specific). */
  readonly v9Only?: boolean;
}

/** RFC 5103 reverse information elements are the forward IE number under this enterprise number. */
export const REVERSE_PEN = 29305;

/** NetFlow v9 Cisco NSEL field types. */
export const NSEL_FW_EXT_EVENT = 33002;
export const NSEL_XLATE_SRC_ADDR = 40001;
export const NSEL_FW_EVENT = 40005;

const E = (ie: number, name: string, slot: Slot, kind: ElementKind, rank = 0, pen = 0, v9Only = false): ElementDef =>
  v9Only ? { ie, pen, name, slot, kind, rank, v9Only } : { ie, pen, name, slot, kind, rank };

export const ELEMENTS: readonly ElementDef[] = [
  E(1, 'octetDeltaCount', 'bytes', 'uint', 0),
  E(85, 'octetTotalCount', 'bytes', 'uint', 1),
  E(23, 'postOctetDeltaCount (v9 OUT_BYTES)', 'bytes', 'uint', 2),
  E(231, 'initiatorOctets (NSEL NF_F_FWD_FLOW_DELTA_BYTES)', 'bytes', 'uint', 3),
  E(2, 'packetDeltaCount', 'packets', 'uint', 0),
  E(86, 'packetTotalCount', 'packets', 'uint', 1),
  E(24, 'postPacketDeltaCount (v9 OUT_PKTS)', 'packets', 'uint', 2),
  E(298, 'initiatorPackets', 'packets', 'uint', 3),
  E(1, 'reverseOctetDeltaCount', 'revBytes', 'uint', 0, REVERSE_PEN),
  E(85, 'reverseOctetTotalCount', 'revBytes', 'uint', 1, REVERSE_PEN),
  E(232, 'responderOctets (NSEL NF_F_REV_FLOW_DELTA_BYTES)', 'revBytes', 'uint', 2),
  E(2, 'reversePacketDeltaCount', 'revPackets', 'uint', 0, REVERSE_PEN),
  E(86, 'reversePacketTotalCount', 'revPackets', 'uint', 1, REVERSE_PEN),
  E(299, 'responderPackets', 'revPackets', 'uint', 2),
  E(4, 'protocolIdentifier', 'proto', 'uint'),
  E(5, 'ipClassOfService', 'tos', 'uint', 0),
  E(195, 'ipDiffServCodePoint', 'tos', 'dscp', 1),
  E(196, 'ipPrecedence', 'tos', 'precedence', 2),
  E(6, 'tcpControlBits', 'tcpFlags', 'uint'),
  E(7, 'sourceTransportPort', 'srcPort', 'uint', 0),
  E(180, 'udpSourcePort', 'srcPort', 'uint', 1),
  E(182, 'tcpSourcePort', 'srcPort', 'uint', 1),
  E(11, 'destinationTransportPort', 'dstPort', 'uint', 0),
  E(181, 'udpDestinationPort', 'dstPort', 'uint', 1),
  E(183, 'tcpDestinationPort', 'dstPort', 'uint', 1),
  E(8, 'sourceIPv4Address', 'srcAddr4', 'ipv4'),
  E(12, 'destinationIPv4Address', 'dstAddr4', 'ipv4'),
  E(27, 'sourceIPv6Address', 'srcAddr6', 'ipv6'),
  E(28, 'destinationIPv6Address', 'dstAddr6', 'ipv6'),
  E(10, 'ingressInterface', 'inIf', 'uint', 0),
  E(252, 'ingressPhysicalInterface', 'inIf', 'uint', 1),
  E(14, 'egressInterface', 'outIf', 'uint', 0),
  E(253, 'egressPhysicalInterface', 'outIf', 'uint', 1),
  E(16, 'bgpSourceAsNumber', 'srcAs', 'uint'),
  E(17, 'bgpDestinationAsNumber', 'dstAs', 'uint'),
  E(58, 'vlanId', 'srcVlan', 'uint', 0),
  E(243, 'dot1qVlanId', 'srcVlan', 'uint', 1),
  E(59, 'postVlanId', 'dstVlan', 'uint', 0),
  E(254, 'postDot1qVlanId', 'dstVlan', 'uint', 1),
  E(56, 'sourceMacAddress', 'srcMac', 'mac', 0),
  E(81, 'postSourceMacAddress', 'srcMac', 'mac', 1),
  E(80, 'destinationMacAddress', 'dstMac', 'mac', 0),
  E(57, 'postDestinationMacAddress', 'dstMac', 'mac', 1),
  E(70, 'mplsTopLabelStackSection', 'mplsLabel', 'mpls'),
  E(61, 'flowDirection', 'direction', 'uint'),
  E(239, 'biflowDirection', 'biflowDir', 'uint'),
  E(136, 'flowEndReason', 'endReason', 'uint'),
  E(233, 'firewallEvent', 'fwEvent', 'uint', 0),
  E(NSEL_FW_EVENT, 'NF_F_FW_EVENT (NSEL, legacy)', 'fwEvent', 'uint', 1, 0, true),
  E(NSEL_FW_EXT_EVENT, 'NF_F_FW_EXT_EVENT (NSEL)', 'fwExtEvent', 'uint', 0, 0, true),
  E(225, 'postNATSourceIPv4Address', 'xsrc4', 'ipv4', 0),
  E(NSEL_XLATE_SRC_ADDR, 'NF_F_XLATE_SRC_ADDR_IPV4 (NSEL, legacy)', 'xsrc4', 'ipv4', 1, 0, true),
  E(226, 'postNATDestinationIPv4Address', 'xdst4', 'ipv4', 0),
  E(40002, 'NF_F_XLATE_DST_ADDR_IPV4 (NSEL, legacy)', 'xdst4', 'ipv4', 1, 0, true),
  E(281, 'postNATSourceIPv6Address', 'xsrc6', 'ipv6'),
  E(282, 'postNATDestinationIPv6Address', 'xdst6', 'ipv6'),
  E(227, 'postNAPTSourceTransportPort', 'xlateSrcPort', 'uint', 0),
  E(40003, 'NF_F_XLATE_SRC_PORT (NSEL, legacy)', 'xlateSrcPort', 'uint', 1, 0, true),
  E(228, 'postNAPTDestinationTransportPort', 'xlateDstPort', 'uint', 0),
  E(40004, 'NF_F_XLATE_DST_PORT (NSEL, legacy)', 'xlateDstPort', 'uint', 1, 0, true),
  E(152, 'flowStartMilliseconds', 'start', 'millis', 0),
  E(154, 'flowStartMicroseconds', 'start', 'ntpMicros', 1),
  E(156, 'flowStartNanoseconds', 'start', 'ntpNanos', 2),
  E(150, 'flowStartSeconds', 'start', 'secs', 3),
  E(22, 'flowStartSysUpTime', 'start', 'uptime', 4),
  E(158, 'flowStartDeltaMicroseconds', 'start', 'deltaMicros', 5),
  E(153, 'flowEndMilliseconds', 'end', 'millis', 0),
  E(155, 'flowEndMicroseconds', 'end', 'ntpMicros', 1),
  E(157, 'flowEndNanoseconds', 'end', 'ntpNanos', 2),
  E(151, 'flowEndSeconds', 'end', 'secs', 3),
  E(21, 'flowEndSysUpTime', 'end', 'uptime', 4),
  E(159, 'flowEndDeltaMicroseconds', 'end', 'deltaMicros', 5),
  E(323, 'observationTimeMilliseconds (NSEL event time)', 'obs', 'millis', 0),
  E(324, 'observationTimeMicroseconds', 'obs', 'ntpMicros', 1),
  E(325, 'observationTimeNanoseconds', 'obs', 'ntpNanos', 2),
  E(322, 'observationTimeSeconds', 'obs', 'secs', 3),
  E(32, 'icmpTypeCodeIPv4', 'icmp', 'uint', 0),
  E(139, 'icmpTypeCodeIPv6', 'icmp', 'uint', 1),
  E(176, 'icmpTypeIPv4', 'icmpType', 'uint', 0),
  E(178, 'icmpTypeIPv6', 'icmpType', 'uint', 1),
  E(177, 'icmpCodeIPv4', 'icmpCode', 'uint', 0),
  E(179, 'icmpCodeIPv6', 'icmpCode', 'uint', 1),
  E(34, 'samplingInterval', 'sInterval', 'uint'),
  E(305, 'samplingPacketInterval', 'sPktInterval', 'uint'),
  E(306, 'samplingPacketSpace', 'sPktSpace', 'uint'),
  E(309, 'samplingSize', 'sSize', 'uint'),
  E(310, 'samplingPopulation', 'sPopulation', 'uint'),
  E(48, 'samplerId (v9 FLOW_SAMPLER_ID)', 'samplerId', 'uint', 0),
  E(302, 'selectorId', 'samplerId', 'uint', 1),
];

const byKey = new Map<number, ElementDef>();
for (const e of ELEMENTS) byKey.set(e.pen * 65536 + e.ie, e);

/**
 * The registry entry for a template field, or undefined when the decoder does not use it.
 * `ie` is the field type without the IPFIX enterprise bit; NetFlow v9 has no enterprise numbers.
 */
export function lookupElement(version: 9 | 10, ie: number, pen: number): ElementDef | undefined {
  const e = byKey.get(pen * 65536 + ie);
  if (e === undefined || (e.v9Only === true && version !== 9)) return undefined;
  return e;
}

/** Whether a field of this length can be read as this kind; other lengths are skipped. */
export function lengthFits(kind: ElementKind, len: number): boolean {
  switch (kind) {
    case 'uint':
    case 'dscp':
    case 'precedence':
    case 'secs':
    case 'millis':
    case 'uptime':
    case 'deltaMicros':
      return len >= 1 && len <= 8;
    case 'ipv4':
      return len === 4;
    case 'ipv6':
      return len === 16;
    case 'mac':
      return len === 6;
    case 'mpls':
      return len === 3;
    case 'ntpMicros':
    case 'ntpNanos':
      return len === 8;
  }
}

/** Options-record elements (read by optionsrecord.ts, not by the flow plan). */
export const OPT = {
  ingressInterface: 10,
  egressInterface: 14,
  samplingInterval: 34,
  samplingAlgorithm: 35,
  samplerId: 48,
  samplerMode: 49,
  samplerRandomInterval: 50,
  interfaceName: 82,
  interfaceDescription: 83,
  templateId: 145,
  systemInitTimeMilliseconds: 160,
  biflowDirection: 239,
  selectorId: 302,
  samplingPacketInterval: 305,
  samplingPacketSpace: 306,
  samplingSize: 309,
  samplingPopulation: 310,
} as const;

/** NetFlow v9 options scope field types (RFC 3954 §6.2): not information elements. */
export const V9_SCOPE = { system: 1, interface: 2, lineCard: 3, cache: 4, template: 5 } as const;

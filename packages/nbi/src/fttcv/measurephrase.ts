// What fttcv measures, in words for its alert lines: `total bytes communicated by`, `bytes sent by`,
// `sessions accepted by`, `unique hosts in sessions initiated by` — followed by the entity phrase.

import type { EntityName } from '@opentraq/core';
import type { Measure } from './readmeasure.js';

const UNIQUE_WORDS: Readonly<Partial<Record<EntityName, string>>> = {
  IP: 'hosts',
  PORTPROTO: 'services',
  QOS: 'ToS values',
  TCPFLAGS: 'TCP flag combinations',
  IF: 'interfaces',
  COUNTRY: 'countries',
  VLAN: 'VLANs',
  ASN: 'ASes',
  MAC: 'MAC addresses',
};

export function measurePhrase(m: Pick<Measure, 'count' | 'unique' | 'direction'>): string {
  switch (m.count) {
    case 'BYTES':
    case 'BITS':
    case 'PACKETS': {
      const unit = m.count.toLowerCase();
      return m.direction === 'snd' ? `${unit} sent by` : m.direction === 'rcv' ? `${unit} received by` : `total ${unit} communicated by`;
    }
    case 'SESSIONS':
      return m.direction === 'snd' ? 'sessions initiated by' : m.direction === 'rcv' ? 'sessions accepted by' : 'total sessions of';
    case 'UNIQUE': {
      const what = `unique ${(m.unique !== undefined && UNIQUE_WORDS[m.unique]) || m.unique}`;
      return m.direction === 'snd' ? `${what} in sessions initiated by` : m.direction === 'rcv' ? `${what} in sessions accepted by` : `${what} of`;
    }
  }
}

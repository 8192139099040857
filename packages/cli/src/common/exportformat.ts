// The export formats of -ef and the filter term each stands for: the API has no parameter of its
// own for them, so -ef becomes an EXPV (and for NSEL an ASAEVT) condition AND-ed to the filter.

/** -ef name → filter string over the stored export format (EXPV: 1 5 7 9 NetFlow, 10 IPFIX, 18 20 21 sFlow). */
const FORMATS: Readonly<Record<string, string>> = {
  nf1: 'EXPV=1',
  nf5: 'EXPV=5',
  nf7: 'EXPV=7',
  // NetFlow v9 includes Cisco ASA NSEL, which is v9 with firewall-event fields
  nf9: 'EXPV=9',
  ipfix: 'EXPV=10',
  // an NSEL record always carries an event (1 created ... 5 update); plain v9 leaves ASAEVT at 0
  nsel: 'EXPV=9 && ASAEVT>0',
  sf2: 'EXPV=18',
  sf4: 'EXPV=20',
  sf5: 'EXPV=21',
};

export const EXPORT_FORMAT_NAMES: readonly string[] = Object.keys(FORMATS);

/** The filter term of an -ef name (case-insensitive), or undefined when it is not one. */
export function exportFormatFilter(name: string): string | undefined {
  const key = name.toLowerCase();
  return Object.hasOwn(FORMATS, key) ? FORMATS[key] : undefined;
}

// The tool's own time zone as the API parameter tz=, so that the server writes CSV times and counts the
// calendar units of -tn in the zone the person at the terminal lives in (TZ), not in the server's.

/** The zone of this process (TZ, else the system's), as an IANA name Intl accepts; undefined when there is none. */
export function toolTimeZone(): string | undefined {
  const name = Intl.DateTimeFormat().resolvedOptions().timeZone as string | undefined;
  if (name === undefined || name === '' || name === 'Etc/Unknown') return undefined;
  try {
    // a name this machine's time zone data cannot use would be refused by the server too
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return name;
  } catch {
    return undefined;
  }
}

/** `{tz: NAME}` for a request, or nothing (the server's zone then applies). */
export function timeZoneParams(): Readonly<Record<string, string>> {
  const zone = toolTimeZone();
  return zone === undefined ? {} : { tz: zone };
}

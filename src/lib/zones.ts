/**
 * IANA time zones: one place that decides whether the platform knows a zone, so the
 * configuration, the terminal, Slack profiles and the query language agree.
 */

/** The zone's canonical spelling when the platform knows it; null otherwise (also for ''). */
export function canonicalZone(zone: string): string | null {
  if (typeof zone !== 'string' || zone.trim() === '') return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

export function isTimeZone(zone: string): boolean {
  return canonicalZone(zone) !== null;
}

/** Zones that look like what was meant: a bare city ("Berlin"), or another spelling. */
export function zoneSuggestions(zone: string): string[] {
  const wanted = zone.trim().replace(/\s+/g, '_').toLowerCase();
  if (wanted === '') return [];
  return Intl.supportedValuesOf('timeZone').filter((known) => {
    const lower = known.toLowerCase();
    return lower === wanted || lower.endsWith(`/${wanted}`);
  });
}

/**
 * Who gets which part of the digest: DIGEST_CHANNELS get every appliance; an appliance's own
 * digest channels (a region's team) get its part. A channel in both gets one message with both.
 */
export interface DigestRoute {
  readonly channel: string;
  /** The appliances this channel's message covers, in configuration order. */
  readonly appliances: readonly string[];
}

export interface RoutedAppliance {
  readonly name: string;
  readonly digestChannels: readonly string[];
}

export function planDigest(everything: readonly string[], appliances: readonly RoutedAppliance[]): DigestRoute[] {
  const all = appliances.map((appliance) => appliance.name);
  const routes = new Map<string, Set<string>>();
  for (const channel of everything) routes.set(channel, new Set(all));
  for (const appliance of appliances) {
    for (const channel of appliance.digestChannels) {
      if (!routes.has(channel)) routes.set(channel, new Set());
      routes.get(channel)!.add(appliance.name);
    }
  }
  return [...routes].map(([channel, names]) => ({ channel, appliances: all.filter((name) => names.has(name)) }));
}

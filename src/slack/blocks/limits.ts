/**
 * Slack's Block Kit limits (shared/slack-notes.md) and the one way text is cut to fit them.
 */

export const LIMITS = {
  blocks: 50,
  text: 3000,
  header: 150,
  fields: 10,
  field: 2000,
  actions: 25,
  contextElements: 10,
  buttonText: 75,
  buttonValue: 2000,
  url: 3000,
  /** Our budget for all block text: Slack's undocumented msg_blocks_too_long bites at ~11–13k. */
  messageChars: 10_000,
  /** The top-level `text`: Slack allows 40k; a notification needs far less. */
  fallbackText: 3000,
} as const;

/**
 * Cuts text to `max` characters, never inside an `&…;` escape or a `<…>` token (a cut date
 * token would show its raw syntax).
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const open = text.lastIndexOf('<', end);
  if (open !== -1 && text.indexOf('>', open) >= end) end = open;
  const amp = text.lastIndexOf('&', end);
  if (amp !== -1 && amp > end - 6 && text.indexOf(';', amp) >= end) end = amp;
  return `${text.slice(0, end).trimEnd()}…`;
}

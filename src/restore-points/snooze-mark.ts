/**
 * A problem someone snoozed from an alert, as the digest lists it ("snoozed by alice until …"):
 * plain data, so every renderer can take it without knowing about alerts.
 */
export interface SnoozeMark {
  readonly appliance: string;
  /** What the problem is, in plain text (escaped where it is rendered). */
  readonly what: string;
  /** Who snoozed it (a Slack user name, never a mention). */
  readonly by: string;
  /** Epoch ms. */
  readonly until: number;
}

/** The alert watch's Prometheus metrics, in the bot's registry. */
import { Counter, Gauge, type Registry } from 'prom-client';
import { PROBLEM_KINDS } from './problems.ts';
import type { AlertMetrics } from './watch.ts';

const PREFIX = 'restorepoints_';
const TYPES = ['post', 'update', 'reply', 'baseline'] as const;

export function alertMetrics(registry: Registry): AlertMetrics {
  const open = new Gauge({
    name: `${PREFIX}alert_problems_open`,
    help: 'Open alert problems by kind, after the latest watch (snoozed and acknowledged ones included)',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const sent = new Counter({
    name: `${PREFIX}alerts_posted_total`,
    help: 'Alert messages Slack took: post (a new problem), update (a root edited), reply (in a thread), baseline',
    labelNames: ['type'] as const,
    registers: [registry],
  });
  const failed = new Counter({
    name: `${PREFIX}alert_posts_failed_total`,
    help: 'Alert messages Slack refused or did not answer; each is kept and tried again at the next watch',
    labelNames: ['type'] as const,
    registers: [registry],
  });
  for (const type of TYPES) {
    sent.inc({ type }, 0);
    failed.inc({ type }, 0);
  }
  for (const kind of PROBLEM_KINDS) open.set({ kind }, 0);
  return {
    open(counts) {
      for (const kind of PROBLEM_KINDS) open.set({ kind }, counts[kind]);
    },
    sent: (type) => sent.inc({ type }),
    failed: (type) => failed.inc({ type }),
  };
}

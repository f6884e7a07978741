/** An answer, drawn as a Slack message. */
import type { Answer } from '../../restore-points/answer.ts';
import type { SlackMessage } from './message.ts';
import { renderFailed, renderUnprotected } from './coverage-failures.ts';
import { renderHelp, renderNotFound } from './help.ts';
import { renderOverview } from './overview.ts';
import { renderWorkloads } from './workloads.ts';

export function renderAnswer(answer: Answer): SlackMessage {
  switch (answer.kind) {
    case 'help':
      return renderHelp(answer.problems);
    case 'not-found':
      return renderNotFound(answer);
    case 'overview':
      return renderOverview(answer.summary, {
        title: answer.staleOnly ? 'Stale restore points' : answer.times.asOf === null ? 'Restore points' : 'Restore points before a time',
        staleOnly: answer.staleOnly,
        times: answer.times,
      });
    case 'workloads':
      return renderWorkloads(answer);
    case 'unprotected':
      return renderUnprotected(answer);
    case 'failed':
      return renderFailed(answer);
  }
}

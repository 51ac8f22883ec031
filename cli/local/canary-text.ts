import type { LocalCanarySummary } from '../../local/canary';
import { printable, wrap } from '../terminal/text';

/** The canary's lines stay within 80 columns, whatever the terminal. */
const WIDTH = 80;

/** The canary's lines of the terminal report of `scp-guardian local --canary`. */
export function formatCanary(summary: LocalCanarySummary): string {
  const pair = `${summary.policyId} on ${summary.targetId}`;
  if (summary.refused !== undefined) return [`canary: NOT STARTED (${pair}): ${summary.refused.error}`, ...wrap(printable(summary.refused.message).trimStart(), WIDTH, '  ')].join('\n');
  const attached = summary.pairAttached === null ? 'unknown (another Organizations endpoint)' : summary.pairAttached ? 'yes' : 'NO';
  return [
    `canary: ${summary.passed ? 'PASSED' : 'MISSING'} (${pair})`,
    `  detached:      ${summary.run?.detachedAt}${summary.run?.answerLost ? ' (answer lost, policy gone)' : ''}`,
    `  by:            ${summary.roleArn}`,
    `  incident:      ${summary.incidentId} -> ${summary.outcome ?? 'not closed'}`,
    `  CanaryPassed:  ${summary.passed ? 'emitted' : 'not emitted (in AWS, CanaryMissing would fire)'}`,
    `  pair attached: ${attached}`,
    `  to people:     ${summary.emailsToPeople} email(s), ${summary.postedToSlack ? 'posted' : 'nothing'} in Slack`,
  ].join('\n');
}

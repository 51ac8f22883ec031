import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stateRetryBudget } from '../../../bench/retry-budget';
import { parseProtectionRules } from '../../../config/load';
import { retryPacing } from '../../../functions/shared/remediation-deadline';
import { executionTimeoutSeconds } from '../../../functions/sweep/execution-timeout';
import { PROJECT_ROOT } from '../../../cli/project-root';

const doc = (name: string) => readFileSync(join(PROJECT_ROOT, 'docs', name), 'utf8').replace(/\s+/g, ' ');

/** "4 h 15 min", as the docs write a duration of whole minutes. */
const hoursAndMinutes = (seconds: number) => `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;

describe('the figures the docs give', () => {
  it("state ReattachPolicy's and ConfirmAttachment's retry budget as the ASL's retriers give it", () => {
    const reattach = stateRetryBudget('ReattachPolicy');
    const confirm = stateRetryBudget('ConfirmAttachment');
    const performance = doc('performance.md');

    expect(performance).toContain(`at most ${reattach.worstCaseDelaySeconds} s of backoff over ${reattach.retries} retries (${reattach.attempts} attempts) in one round`);
    expect(performance).toContain(`${confirm.retries} retries and ${confirm.worstCaseDelaySeconds} s in all`);
  });

  it('state the round limit of the default remediation deadline', () => {
    const { remediation } = parseProtectionRules({ protect: [] });

    expect(doc('performance.md')).toContain(`\`MarkRoundsExhausted\`: ${retryPacing(remediation.deadlineMinutes).retryRoundLimit} with the defaults`);
  });

  it('state the execution timeout of the default rules', () => {
    const defaults = hoursAndMinutes(executionTimeoutSeconds(parseProtectionRules({ protect: [] })));

    for (const name of ['operations.md', 'workflow.md']) expect({ name, says: doc(name).includes(`${defaults} with the defaults`) }).toEqual({ name, says: true });
  });
});

import { MAX_DEADLINE_MINUTES } from '../../../config/schema';
import { MAX_RETRY_ROUNDS, retryPacing } from '../../../functions/shared/remediation-deadline';
import type { LocalEnvironment } from '../../../local/environment';
import { loadDefinition } from '../../../local/workflow/local-workflow';
import { eventsOutsideRounds, HISTORY_EVENT_LIMIT, historyEvents, roundEventsUnderThrottle, statesByName, type StateDefinition } from '../../../statemachine/history-budget';
import { detachEvent } from '../../support/events';
import { Org, replay, startEnvironment } from '../../support/local-harness';
import { PROJECT_ROOT } from '../../../cli/project-root';

const { definition } = loadDefinition(PROJECT_ROOT);
const states = statesByName(definition as { States: Record<string, StateDefinition> });

describe("an execution's history under a throttle that never lets up", () => {
  it('fits the 25,000 events Step Functions allows at every deadline the rules allow, the longest included', () => {
    const perRound = roundEventsUnderThrottle(states);
    const outside = eventsOutsideRounds(states);

    for (let deadlineMinutes = 5; deadlineMinutes <= MAX_DEADLINE_MINUTES; deadlineMinutes++) {
      const { retryRoundLimit } = retryPacing(deadlineMinutes);
      expect([deadlineMinutes, retryRoundLimit * perRound + outside]).toEqual([deadlineMinutes, expect.any(Number)]);
      expect(retryRoundLimit * perRound + outside).toBeLessThanOrEqual(HISTORY_EVENT_LIMIT);
    }
  });

  it('pauses a minute between rounds up to a 70-minute deadline, then spreads at most 70 rounds over the deadline', () => {
    expect(retryPacing(60)).toEqual({ retryPauseSeconds: 60, retryRoundLimit: 60 });
    expect(retryPacing(70)).toEqual({ retryPauseSeconds: 60, retryRoundLimit: 70 });
    expect(retryPacing(MAX_DEADLINE_MINUTES)).toEqual({ retryPauseSeconds: 309, retryRoundLimit: MAX_RETRY_ROUNDS });
    for (let deadlineMinutes = 5; deadlineMinutes <= MAX_DEADLINE_MINUTES; deadlineMinutes++) {
      const { retryPauseSeconds, retryRoundLimit } = retryPacing(deadlineMinutes);
      // The rounds fill the deadline: never fewer than it holds pauses.
      expect(retryRoundLimit * retryPauseSeconds).toBeGreaterThanOrEqual(deadlineMinutes * 60);
    }
  });

  describe('a real run', () => {
    let env: LocalEnvironment | undefined;
    afterEach(async () => {
      await env?.stop();
      env = undefined;
    });

    it('writes no more events per round than the budget counts (the budget is an upper bound of the real ASL)', async () => {
      env = await startEnvironment({ faults: { throttleProbability: 1, operations: ['AttachPolicy'] }, remediationDeadlineSeconds: 3 });
      const event = detachEvent({ policyId: Org.denyLeave, targetId: Org.root });

      const execution = await replay(env, event);

      const rounds = execution.statesEntered.filter((name) => name === 'NoteRetryRound').length;
      expect(execution.status).toBe('FAILED');
      expect(rounds).toBeGreaterThanOrEqual(1);
      expect(historyEvents(states, execution.statesEntered, execution.retries)).toBeLessThanOrEqual(rounds * roundEventsUnderThrottle(states) + eventsOutsideRounds(states));
      // Each round is paced by the incident's own pause, which classify set from the deadline.
      expect(execution.statesEntered).not.toContain('PauseAMinute');
    });
  });
});

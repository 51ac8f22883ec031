import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cappedDelays, retryBudget, stateRetryBudget } from '../../../bench/retry-budget';
import { PROJECT_ROOT } from '../../support/paths';

describe('retry budget', () => {
  it('caps each delay at MaxDelaySeconds', () => {
    const retrier = { ErrorEquals: ['Organizations.TooManyRequestsException'], IntervalSeconds: 1, BackoffRate: 2, MaxDelaySeconds: 4, MaxAttempts: 5 };

    const delays = cappedDelays(retrier);

    expect(delays).toEqual([1, 2, 4, 4, 4]);
  });

  it("fills a retrier's missing fields with Step Functions' defaults (1 s, ×2, 3 attempts, no cap)", () => {
    const delays = cappedDelays({ ErrorEquals: ['States.ALL'] });

    expect(delays).toEqual([1, 2, 4]);
  });

  it('adds up every retrier of a state, since each keeps its own count', () => {
    const retriers = [
      { ErrorEquals: ['A'], IntervalSeconds: 1, BackoffRate: 2, MaxDelaySeconds: 4, MaxAttempts: 4 },
      { ErrorEquals: ['B'], IntervalSeconds: 2, BackoffRate: 3, MaxAttempts: 2 },
    ];

    const budget = retryBudget(retriers);

    expect(budget).toMatchObject({ retries: 6, attempts: 7, worstCaseDelaySeconds: 1 + 2 + 4 + 4 + (2 + 6) });
  });

  it("is stated in docs/performance.md as the ASL's ReattachPolicy retriers give it", () => {
    const readme = readFileSync(join(PROJECT_ROOT, 'docs', 'performance.md'), 'utf8');

    const budget = stateRetryBudget('ReattachPolicy');

    expect(readme).toContain(`at most ${budget.worstCaseDelaySeconds} s of backoff over ${budget.retries} retries (${budget.attempts} attempts)`);
  });
});

import { cappedDelays, retryBudget } from '../../../bench/retry-budget';

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
});

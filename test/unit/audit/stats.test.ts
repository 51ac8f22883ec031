import { percentile, summarize } from '../../../cli/audit/stats';

describe('audit stats', () => {
  it('takes nearest-rank percentiles: observed values, never interpolated', () => {
    const values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 100];

    expect([percentile(values, 50), percentile(values, 95), percentile(values, 100)]).toEqual([10, 19, 100]);
  });

  it('counts by verdict and outcome, times the remediated ones and names who kept policies off', () => {
    const records = [
      { status: 'CLOSED', verdict: 'PROTECTED', outcome: 'REATTACHED', decision: 'AUTO', timeToRemediateSeconds: 4 },
      { status: 'CLOSED', verdict: 'PROTECTED', outcome: 'ALREADY_ATTACHED', decision: 'APPROVE', decidedBy: 'U0A', timeToRemediateSeconds: 60 },
      { status: 'CLOSED', verdict: 'PROTECTED', outcome: 'OVERRIDDEN', decision: 'OVERRIDE', decidedBy: 'U0A' },
      { status: 'CLOSED', verdict: 'PROTECTED', outcome: 'OVERRIDDEN', decision: 'OVERRIDE', decidedBy: 'arn:aws:iam::111122223333:user/ops' },
      { status: 'CLOSED', verdict: 'PROTECTED', outcome: 'OVERRIDDEN', decision: 'TIMEOUT' },
      { status: 'CLOSED', verdict: 'IGNORED_ACTOR', outcome: 'OBSERVED' },
      { status: 'AWAITING_DECISION', verdict: 'PROTECTED' },
    ] as const;

    const stats = summarize(records);

    expect(stats).toEqual({
      incidents: 7,
      open: 1,
      byVerdict: { PROTECTED: 6, IGNORED_ACTOR: 1 },
      byOutcome: { REATTACHED: 1, ALREADY_ATTACHED: 1, OVERRIDDEN: 3, OBSERVED: 1 },
      timeToRemediate: { count: 2, p50: 4, p95: 60, max: 60 },
      overridesByDecider: { U0A: 1, 'arn:aws:iam::111122223333:user/ops': 1, '(timeout)': 1 },
    });
  });

  it('reports no remediation times when nothing was remediated', () => {
    expect(summarize([{ status: 'CLOSED', verdict: 'UNPROTECTED', outcome: 'OBSERVED' }]).timeToRemediate).toBeNull();
  });
});

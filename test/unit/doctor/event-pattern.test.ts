import { patternCovers, probes } from '../../../cli/doctor/event-pattern';

/** doctor's reading of EventBridge patterns (the explanation of an intake pattern that differs). */
const ACCOUNT = '111122223333';
const calls = probes(ACCOUNT, []);
const withDetail = (detail: Record<string, unknown>) => JSON.stringify({ source: ['aws.organizations'], 'detail-type': ['AWS API Call via CloudTrail'], detail });

describe('doctor: reading an event pattern', () => {
  it('cannot tell what `exists` means on a field that holds an object (operators work on leaves only)', () => {
    const pattern = withDetail({ userIdentity: [{ exists: true }] });

    expect(patternCovers(pattern, calls)).toEqual({ kind: 'unknown', why: 'operator exists on a field that holds an object' });
  });

  it('reads a prefix that ignores case', () => {
    expect(patternCovers(withDetail({ eventSource: [{ prefix: { 'equals-ignore-case': 'ORGANIZATIONS.' } }] }), calls)).toEqual({ kind: 'covers' });
    expect(patternCovers(withDetail({ eventSource: [{ prefix: { 'equals-ignore-case': 'IAM.' } }] }), calls)).toMatchObject({ kind: 'misses' });
  });

  it('reads a suffix that ignores case, and an anything-but that ignores case', () => {
    expect(patternCovers(withDetail({ eventName: [{ suffix: { 'equals-ignore-case': 'POLICY' } }] }), calls)).toMatchObject({ kind: 'misses', eventNames: ['DisablePolicyType', 'MoveAccount'] });
    expect(patternCovers(withDetail({ eventName: [{ 'anything-but': { 'equals-ignore-case': ['detachpolicy'] } }] }), calls)).toMatchObject({ kind: 'misses', eventNames: ['DetachPolicy'] });
  });

  it('cannot tell a prefix whose operand is neither a string nor equals-ignore-case', () => {
    expect(patternCovers(withDetail({ eventSource: [{ prefix: { wildcard: 'org*' } }] }), calls)).toMatchObject({ kind: 'unknown' });
  });
});

import { parseProtectionRules } from '../../../config/load';

const protect = [{ policyId: 'p-abcd1234', targets: '*', mode: 'auto' }];

describe('remediation.admission in the rules', () => {
  it('defaults to an admission on, starting at 10 requests per second, floor 0.2', () => {
    const rules = parseProtectionRules({ protect }, 'rules');

    expect(rules.remediation.admission).toEqual({ enabled: true, expectedRate: 10, minRate: 0.2 });
  });

  it('keeps the deadline default when only the admission is set', () => {
    const rules = parseProtectionRules({ protect, remediation: { admission: { expectedRate: 60 } } }, 'rules');

    expect(rules.remediation).toEqual({ deadlineMinutes: 60, admission: { enabled: true, expectedRate: 60, minRate: 0.2 } });
  });

  it('refuses a ceiling below the expected rate', () => {
    expect(() => parseProtectionRules({ protect, remediation: { admission: { expectedRate: 20, maxRate: 10 } } }, 'rules')).toThrow(/minRate <= expectedRate <= maxRate/);
  });
});

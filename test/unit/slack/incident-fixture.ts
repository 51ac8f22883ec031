import type { Incident } from '../../../functions/shared/incident';

/** A protected SCP detached from a production OU by an admin in the console, approval mode. */
export function protectedIncident(overrides: Partial<Incident> = {}): Incident {
  return {
    incidentId: 'a1b2c3d4-0000-4000-8000-000000000001',
    verdict: 'PROTECTED',
    reason: 'p-12345678 on ou-ab12-11111111 is protected',
    detectedAt: '2024-05-01T10:00:05.000Z',
    eventTime: '2024-05-01T10:00:00Z',
    eventId: 'a1b2c3d4-0000-4000-8000-000000000001',
    region: 'us-east-1',
    policy: { id: 'p-12345678', name: 'DenyLeaveOrg', type: 'SERVICE_CONTROL_POLICY' },
    target: { id: 'ou-ab12-11111111', type: 'ORGANIZATIONAL_UNIT', name: 'Prod' },
    actor: {
      type: 'AssumedRole',
      arn: 'arn:aws:sts::111122223333:assumed-role/AdminRole/alice',
      sessionIssuerArn: 'arn:aws:iam::111122223333:role/AdminRole',
      principalArn: 'arn:aws:iam::111122223333:role/AdminRole',
      accountId: '111122223333',
      sourceIp: '203.0.113.7',
      console: true,
      mfa: true,
    },
    mode: 'approval',
    rule: { index: 0, specificity: 'exact', mode: 'approval', explanation: 'protect[0] names p-12345678 on ou-ab12-11111111' },
    approval: { timeoutSeconds: 900, onTimeout: 'reattach' },
    notify: true,
    ...overrides,
  };
}

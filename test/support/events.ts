import { randomUUID } from 'node:crypto';

export interface DetachEventOptions {
  policyId: string;
  targetId: string;
  eventId?: string;
  eventTime?: string;
  /** An assumed role's ARN (the session issuer), or an IAM user ARN. */
  principalArn?: string;
  errorCode?: string;
}

/** A DetachPolicy CloudTrail record in its EventBridge envelope, as the deployed rule delivers it. */
export function detachEvent(options: DetachEventOptions): Record<string, unknown> {
  const eventId = options.eventId ?? randomUUID();
  const principal = options.principalArn ?? 'arn:aws:iam::111122223333:role/BreakGlassAdmin';
  const role = /:role\/(.+)$/.exec(principal)?.[1];
  const account = /::(\d{12}):/.exec(principal)?.[1] ?? '111122223333';
  const userIdentity =
    role === undefined
      ? { type: 'IAMUser', principalId: 'AIDAEXAMPLE', arn: principal, accountId: account, userName: principal.split('/').pop() }
      : {
          type: 'AssumedRole',
          principalId: `AROAEXAMPLE:${role}-session`,
          arn: `arn:aws:sts::${account}:assumed-role/${role.split('/').pop()}/session`,
          accountId: account,
          sessionContext: {
            sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLE', arn: principal, accountId: account, userName: role.split('/').pop() },
            attributes: { creationDate: '2026-11-20T09:00:00Z', mfaAuthenticated: 'false' },
          },
        };
  const eventTime = options.eventTime ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.organizations',
    account: '111122223333',
    time: eventTime,
    region: 'us-east-1',
    resources: [],
    detail: {
      eventVersion: '1.08',
      userIdentity,
      eventTime,
      eventSource: 'organizations.amazonaws.com',
      eventName: 'DetachPolicy',
      awsRegion: 'us-east-1',
      sourceIPAddress: '203.0.113.10',
      userAgent: 'aws-cli/2.22.4',
      requestParameters: { policyId: options.policyId, targetId: options.targetId },
      responseElements: null,
      requestID: randomUUID(),
      eventID: eventId,
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: '111122223333',
      ...(options.errorCode === undefined ? {} : { errorCode: options.errorCode, errorMessage: 'denied' }),
    },
  };
}

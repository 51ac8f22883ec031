import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AuditStore } from '../../functions/shared/audit/audit-store';
import type { Incident } from '../../functions/shared/incident';
import { IncidentStatus, TimelineStep, type Decision, type Outcome } from '../../functions/shared/vocabulary';
import { createAuditTable, localDynamoDbClient } from '../../local/dynamodb/dynamodb-local';
import { dynamoDbEndpoint } from './local-harness';

/** A fresh audit table on the run's DynamoDB Local, and a document client for it. */
export async function freshTable(endpoint = dynamoDbEndpoint()): Promise<{ tableName: string; db: DynamoDBDocumentClient; audit: AuditStore }> {
  const tableName = `audit-test-${randomUUID().slice(0, 8)}`;
  await createAuditTable(dynamoDbEndpoint(), tableName);
  // As the handlers' client: undefined attributes are left out.
  const db = DynamoDBDocumentClient.from(localDynamoDbClient(endpoint), { marshallOptions: { removeUndefinedValues: true } });
  return { tableName, db, audit: new AuditStore(db, tableName) };
}

export interface IncidentSpec {
  incidentId?: string;
  detectedAt: string;
  policyId?: string;
  targetId?: string;
  actorArn?: string;
  verdict?: Incident['verdict'];
}

/** An incident as Classify hands it to Claim: an assumed role detaching an SCP from an OU. */
export function incident(spec: IncidentSpec): Incident {
  const role = spec.actorArn ?? 'arn:aws:iam::111122223333:role/BreakGlassAdmin';
  const roleName = role.split('/').pop();
  return {
    incidentId: spec.incidentId ?? randomUUID(),
    verdict: spec.verdict ?? 'PROTECTED',
    reason: 'protect[0] protects p-denyleave1 wherever it is attached',
    detectedAt: spec.detectedAt,
    eventTime: spec.detectedAt,
    eventId: spec.incidentId,
    region: 'us-east-1',
    policy: { id: spec.policyId ?? 'p-denyleave1', name: 'DenyLeaveOrganization', type: 'SERVICE_CONTROL_POLICY' },
    target: { id: spec.targetId ?? 'ou-a1b2-7hq4vz2n', type: 'ORGANIZATIONAL_UNIT', name: 'Prod' },
    actor: {
      type: 'AssumedRole',
      arn: `arn:aws:sts::111122223333:assumed-role/${roleName}/alice`,
      sessionIssuerArn: role,
      principalArn: role,
      accountId: '111122223333',
      sourceIp: '203.0.113.10',
      userAgent: 'aws-cli/2.22.4',
      console: false,
      mfa: true,
    },
    mode: 'auto',
    rule: { index: 0, specificity: 'policy', mode: 'auto', explanation: 'protect[0] protects p-denyleave1 wherever it is attached' },
    notify: true,
  };
}

export interface Ending {
  outcome: Outcome;
  decision?: Decision;
  decidedBy?: string;
  reason?: string;
  timeToRemediateSeconds?: number;
}

/**
 * Claims an incident and, with an ending, takes it to CLOSED the way the handlers do. The steps
 * happen in the incident's own time: classified 1 s after the detach, decided at 30 s, closed at 60 s.
 */
export async function record(table: { db: DynamoDBDocumentClient; tableName: string }, spec: IncidentSpec, ending?: Ending): Promise<Incident> {
  const detached = Date.parse(spec.detectedAt);
  const audit = new AuditStore(table.db, table.tableName, () => new Date(detached + 1000));
  const claimed = incident(spec);
  await audit.claimIncident(claimed, `arn:aws:states:us-east-1:111122223333:execution:scp-guardian:${claimed.incidentId}`);
  if (ending === undefined) return claimed;
  if (ending.decision === 'APPROVE' || ending.decision === 'OVERRIDE') {
    await audit.advance(
      claimed.incidentId,
      IncidentStatus.DECIDED,
      { decision: ending.decision, decidedBy: ending.decidedBy, decisionReason: ending.reason, decidedAt: new Date(detached + 30_000).toISOString() },
      { step: TimelineStep.DECIDED, at: new Date(detached + 30_000).toISOString(), detail: { decision: ending.decision, by: ending.decidedBy } },
    );
  }
  const closedAt = new Date(detached + 60_000).toISOString();
  await audit.advance(
    claimed.incidentId,
    IncidentStatus.CLOSED,
    {
      outcome: ending.outcome,
      timeToRemediateSeconds: ending.timeToRemediateSeconds,
      closedAt,
      ...(ending.decision === 'AUTO' || ending.decision === 'TIMEOUT' ? { decision: ending.decision, decidedBy: ending.decidedBy } : {}),
    },
    { step: TimelineStep.CLOSED, at: closedAt, detail: { outcome: ending.outcome } },
  );
  return claimed;
}

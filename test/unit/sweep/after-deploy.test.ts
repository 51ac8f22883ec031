import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { AuditStore } from '../../../functions/shared/audit/audit-store';
import type { IncidentQueries } from '../../../functions/shared/audit/queries';
import type { DesiredStateStore } from '../../../functions/shared/desired/desired-store';
import { silentLog } from '../../../functions/shared/log';
import { createSweepHandler } from '../../../functions/sweep/handler';
import { testRules } from '../../support/local-harness';

/** What CloudFormation sends a custom resource's function (trimmed to the fields the handler reads). */
const cloudFormationEvent = (requestType: 'Create' | 'Update' | 'Delete', responseUrl = 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/arn%3Aaws?X-Amz-Signature=abc') => ({
  RequestType: requestType,
  ResponseURL: responseUrl,
  StackId: 'arn:aws:cloudformation:us-east-1:111122223333:stack/ScpGuardian/1',
  RequestId: 'req-1',
  LogicalResourceId: 'SweepAfterDeploy',
  ResourceType: 'Custom::ScpGuardianSweep',
  ResourceProperties: { FunctionVersion: '3' },
});

/** A sweep whose organization read fails: what the deployment must never wait for or fail on. */
function handlerWith(answers: { url: string; body: Record<string, unknown> }[]) {
  const failing = { send: async () => Promise.reject(Object.assign(new Error('denied'), { name: 'AccessDeniedException' })) } as unknown as OrganizationsClient;
  const emptyDesired = { pairs: async () => new Map(), contents: async () => new Map(), parents: async () => new Map(), rootTypes: async () => new Map() } as unknown as DesiredStateStore;
  return createSweepHandler({
    rules: testRules(),
    organizations: failing,
    cloudTrail: {} as CloudTrailClient,
    sfn: {} as SFNClient,
    stateMachineArn: 'arn:aws:states:us-east-1:111122223333:stateMachine:x',
    desired: emptyDesired,
    audit: {} as AuditStore,
    queries: {} as IncidentQueries,
    log: silentLog,
    answer: (async (url: string, init: { body: string }) => {
      answers.push({ url, body: JSON.parse(init.body) });
      return new Response(null, { status: 200 });
    }) as unknown as typeof fetch,
  });
}

describe('the sweep after a deployment', () => {
  it('answers CloudFormation SUCCESS before it sweeps, so a failing sweep fails the function, not the deployment', async () => {
    const answers: { url: string; body: Record<string, unknown> }[] = [];

    const run = handlerWith(answers)(cloudFormationEvent('Create'), { getRemainingTimeInMillis: () => 60_000 });

    await expect(run).rejects.toThrow('denied');
    expect(answers).toEqual([{ url: expect.stringContaining('s3.amazonaws.com'), body: expect.objectContaining({ Status: 'SUCCESS', RequestId: 'req-1', LogicalResourceId: 'SweepAfterDeploy' }) }]);
  });

  it('answers a Delete without sweeping', async () => {
    const answers: { url: string; body: Record<string, unknown> }[] = [];

    const result = await handlerWith(answers)(cloudFormationEvent('Delete'), { getRemainingTimeInMillis: () => 60_000 });

    expect(result).toBeUndefined();
    expect(answers.map((a) => a.body.Status)).toEqual(['SUCCESS']);
  });

  it('sends nothing to a response URL that is not an AWS endpoint', async () => {
    const answers: { url: string; body: Record<string, unknown> }[] = [];

    await handlerWith(answers)(cloudFormationEvent('Delete', 'https://attacker.example.com/collect'), { getRemainingTimeInMillis: () => 60_000 });

    expect(answers).toEqual([]);
  });
});

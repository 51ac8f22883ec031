import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { ASL_FILE, WORKFLOW_FUNCTIONS, type WorkflowFunctionName } from '../../functions/shared/workflow-functions';
import { AuditStore } from '../../infra/constructs/audit-store';
import { Intake } from '../../infra/constructs/intake';
import { Notifications } from '../../infra/constructs/notifications';
import { aslPlaceholders, Workflow } from '../../infra/constructs/workflow';
import { PROJECT_ROOT } from '../../cli/project-root';

// Props checks run before anything is built: no bundling, no synth.
const newStack = () => new Stack(new App(), 'Test', { env: { region: 'us-east-1' } });
const fakeFunctions = (stack: Stack) =>
  Object.fromEntries(
    Object.values(WORKFLOW_FUNCTIONS).map((name) => [name, LambdaFunction.fromFunctionArn(stack, name, `arn:aws:lambda:us-east-1:111122223333:function:${name}`)]),
  ) as Record<WorkflowFunctionName, LambdaFunction>;

describe('workflow', () => {
  it('finds the placeholders of an ASL document', () => {
    expect(aslPlaceholders('{"A":"${One}","B":"${Two}","C":"${One}"}')).toEqual(['One', 'Two']);
  });

  it('refuses an ASL file with a placeholder it has no function for', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'scp-guardian-asl-'));
    cpSync(path.join(PROJECT_ROOT, 'statemachine'), path.join(root, 'statemachine'), { recursive: true });
    const asl = path.join(root, ASL_FILE);
    writeFileSync(asl, readFileSync(asl, 'utf8').replace('${CloseFunctionArn}', '${ArchiveFunctionArn}'));
    const stack = newStack();

    expect(() => new Workflow(stack, 'Workflow', { rules: { approval: { timeoutMinutes: 15, onTimeout: 'reattach', approvers: [] }, remediation: { deadlineMinutes: 60 } }, functions: fakeFunctions(stack), directCalls: { table: new Table(stack, 'Table', { partitionKey: { name: 'pk', type: AttributeType.STRING } }), attach: { policies: [], targets: [], wildcards: {} } }, projectRoot: root })).toThrow(
      /no substitution: ArchiveFunctionArn; not in the ASL: CloseFunctionArn/,
    );
  });
});

describe('props checks', () => {
  it('intake refuses a retry policy EventBridge would reject', () => {
    const stack = newStack();
    const machine = { stateMachineArn: 'arn:aws:states:us-east-1:111122223333:stateMachine:x' } as never;

    expect(() => new Intake(stack, 'Intake', { stateMachine: machine, maxEventAge: Duration.days(2) })).toThrow(/maxEventAge must be 60 s to 24 h/);
    expect(() => new Intake(stack, 'Intake2', { stateMachine: machine, retryAttempts: 200 })).toThrow(/retryAttempts a whole number 0 to 185/);
  });

  it('notifications refuse a malformed or repeated email address', () => {
    expect(() => new Notifications(newStack(), 'N', { emails: ['ops@example.com', 'ops@example.com'] })).toThrow(/distinct email addresses/);
    expect(() => new Notifications(newStack(), 'N', { emails: ['not an address'] })).toThrow(/"not an address"/);
  });

  it('the audit store refuses an invalid table name', () => {
    expect(() => new AuditStore(newStack(), 'A', { tableName: 'no spaces allowed' })).toThrow(/not a valid DynamoDB table name/);
  });
});

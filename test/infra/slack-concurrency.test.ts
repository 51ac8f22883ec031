import { App, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { SlackEndpoint } from '../../infra/constructs/slack-endpoint';
import { SLACK_CONCURRENCY_CONTEXT } from '../../infra/stack';
import { logicalId, NO_BUNDLING, synthesize } from './support';

// The Slack interactions URL is public: its function gets reserved concurrency, so a flood of
// requests cannot take the concurrency the workflow's functions need.

const synthesizeWith = (concurrency?: string) =>
  synthesize({ ...NO_BUNDLING, ...(concurrency === undefined ? {} : { [SLACK_CONCURRENCY_CONTEXT]: concurrency }) });
const slackRole = (built: ReturnType<typeof synthesize>) => ({
  'Fn::GetAtt': [logicalId(built.stack.handlers.functions['slack-interactions'].role as never), 'Arn'],
});

describe('slack interactions concurrency', () => {
  it('reserves 5 concurrent executions for the Slack function by default, and none for the others', () => {
    const built = synthesizeWith();

    const { template } = built;

    template.hasResourceProperties('AWS::Lambda::Function', { Role: slackRole(built), ReservedConcurrentExecutions: 5 });
    template.resourcePropertiesCountIs('AWS::Lambda::Function', { ReservedConcurrentExecutions: Match.anyValue() }, 1);
  });

  it('takes the cap from the context key', () => {
    const built = synthesizeWith('2');

    const { template } = built;

    template.hasResourceProperties('AWS::Lambda::Function', { Role: slackRole(built), ReservedConcurrentExecutions: 2 });
  });

  it('reserves nothing when the context says off (accounts whose concurrency limit cannot spare any)', () => {
    const { template } = synthesizeWith('off');

    const reserved = template.findResources('AWS::Lambda::Function', { Properties: { ReservedConcurrentExecutions: Match.anyValue() } });

    expect(reserved).toEqual({});
  });

  it.each([[0], [2.5], [-1], ['none'], ['5']])('refuses %p with one clear error', (value) => {
    const stack = new Stack(new App(), 'Test', { env: { region: 'us-east-1' } });
    const props = { interactions: {} as never, relay: {} as never, slackClients: [], stateMachine: {} as never, reservedConcurrency: value as never };

    const create = () => new SlackEndpoint(stack, 'Slack', props);

    expect(create).toThrow(`SlackEndpoint: reservedConcurrency must be a whole number of at least 1, or 'off' (got ${JSON.stringify(value)})`);
  });
});

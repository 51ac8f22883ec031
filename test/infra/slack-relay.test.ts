import { App, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { HANDLER_NAMES, type HandlerName } from '../../infra/constructs/handlers';
import { SlackEndpoint } from '../../infra/constructs/slack-endpoint';
import { actionCovers, allStatements, asList, logicalId, NO_BUNDLING, roleStatements, synthesize } from './support';

// notify and request-decision post to Slack through slack-relay, a function of its own: not
// public and not capped, so a flood of requests on the public interactions URL (capped by
// reserved concurrency) cannot throttle the workflow's posts.

let built: ReturnType<typeof synthesize>;
beforeAll(() => {
  built = synthesize(NO_BUNDLING);
});

const fnId = (name: HandlerName) => logicalId(built.stack.handlers.functions[name]);
const roleId = (name: HandlerName) => logicalId(built.stack.handlers.functions[name].role as IConstruct);
const properties = (name: HandlerName) => built.templateJson.Resources[fnId(name)].Properties;
const statementsOf = (name: HandlerName) => roleStatements(built.templateJson, roleId(name));
const resourcesOf = (name: HandlerName, action: string) =>
  statementsOf(name)
    .filter((s) => asList(s.Action).includes(action))
    .flatMap((s) => asList(s.Resource));
const readersOf = (secret: IConstruct) =>
  HANDLER_NAMES.filter((name) => resourcesOf(name, 'secretsmanager:GetSecretValue').some((r) => JSON.stringify(r) === JSON.stringify({ Ref: logicalId(secret) })));

describe('the Slack relay function', () => {
  it('has no function URL: slack-interactions is the only public function', () => {
    const urls = Object.values(built.templateJson.Resources).filter((r) => r.Type === 'AWS::Lambda::Url');

    expect(urls.map((url) => url.Properties.TargetFunctionArn)).toEqual([{ 'Fn::GetAtt': [fnId('slack-interactions'), 'Arn'] }]);
  });

  it('has no reserved concurrency, while the public slack-interactions keeps its cap', () => {
    expect(properties('slack-relay')).not.toHaveProperty('ReservedConcurrentExecutions');
    expect(properties('slack-interactions').ReservedConcurrentExecutions).toBe(5);
  });

  it('is the function notify and request-decision reach Slack through', () => {
    const relay = { Ref: fnId('slack-relay') };

    expect(properties('notify').Environment.Variables.SLACK_FUNCTION_NAME).toEqual(relay);
    expect(properties('request-decision').Environment.Variables.SLACK_FUNCTION_NAME).toEqual(relay);
  });

  it('may be invoked by notify and request-decision, the unqualified function only', () => {
    const relay = { 'Fn::GetAtt': [fnId('slack-relay'), 'Arn'] };

    expect(resourcesOf('notify', 'lambda:InvokeFunction')).toEqual([relay]);
    expect(resourcesOf('request-decision', 'lambda:InvokeFunction')).toEqual([relay]);
  });

  it('leaves slack-interactions invocable by no role in the stack: it answers Slack alone', () => {
    const interactions = fnId('slack-interactions');

    const invokers = allStatements(built.templateJson).filter(
      ({ statement }) => asList(statement.Action).some((a) => typeof a === 'string' && actionCovers(a, 'lambda:InvokeFunction')) && JSON.stringify(statement.Resource ?? '').includes(`"${interactions}"`),
    );

    expect(invokers.map(({ where }) => where)).toEqual([]);
  });

  it('reads the bot token, as slack-interactions does, and no other function can', () => {
    const botToken = { Ref: logicalId(built.stack.slack.botToken) };

    expect(readersOf(built.stack.slack.botToken).sort()).toEqual(['slack-interactions', 'slack-relay']);
    expect(properties('slack-relay').Environment.Variables.BOT_TOKEN_ARN).toEqual(botToken);
    expect(properties('slack-interactions').Environment.Variables.BOT_TOKEN_ARN).toEqual(botToken);
    expect(properties('notify').Environment.Variables.BOT_TOKEN_ARN).toBeUndefined();
    expect(properties('request-decision').Environment.Variables.BOT_TOKEN_ARN).toBeUndefined();
  });

  it('cannot read the signing secret: only slack-interactions verifies requests', () => {
    expect(readersOf(built.stack.slack.signingSecret)).toEqual(['slack-interactions']);
    expect(properties('slack-relay').Environment.Variables.SIGNING_SECRET_ARN).toBeUndefined();
  });

  it('uses neither the table, the topic nor the state machine', () => {
    const actions = statementsOf('slack-relay').flatMap((s) => asList(s.Action) as string[]);

    expect(actions.filter((a) => /^(dynamodb|sns|states|kms):/.test(a))).toEqual([]);
  });
});

describe('task responses', () => {
  it('let slack-interactions call SendTaskSuccess only, on this state machine', () => {
    const states = statementsOf('slack-interactions').filter((s) => asList(s.Action).some((a) => String(a).startsWith('states:')));

    expect(states.map((s) => ({ Action: s.Action, Resource: s.Resource }))).toEqual([
      { Action: 'states:SendTaskSuccess', Resource: { Ref: logicalId(built.stack.workflow.stateMachine) } },
    ]);
  });

  it.each(['states:SendTaskFailure', 'states:SendTaskHeartbeat'])('grant %s to no one (a failure named States.Timeout would drive the timeout path)', (action) => {
    const granted = allStatements(built.templateJson).filter(
      ({ statement }) => statement.Effect === 'Allow' && asList(statement.Action).some((a) => typeof a === 'string' && actionCovers(a, action)),
    );

    expect(granted.map(({ where }) => where)).toEqual([]);
  });
});

describe('SlackEndpoint props', () => {
  const stack = () => new Stack(new App(), 'Test', { env: { region: 'us-east-1' } });
  const fn = (name: string) => ({ name }) as never;

  it('refuses a relay that is the interactions function', () => {
    const interactions = fn('interactions');

    const create = () => new SlackEndpoint(stack(), 'Slack', { interactions, relay: interactions, slackClients: [], stateMachine: {} as never });

    expect(create).toThrow('SlackEndpoint: the relay must be a function of its own, not the public interactions function');
  });

  it('refuses slackClients that list either Slack function', () => {
    const relay = fn('relay');

    const create = () => new SlackEndpoint(stack(), 'Slack', { interactions: fn('interactions'), relay, slackClients: [relay], stateMachine: {} as never });

    expect(create).toThrow('SlackEndpoint: slackClients lists a Slack function; they are the functions the relay posts for');
  });
});

import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { randomUUID } from 'node:crypto';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import type { AdmissionStore } from '../functions/admit/admission-store';
import type { Admission } from '../functions/admit/admit';
import { admissionStoreFor, createAdmitHandler, type AdmitEvent } from '../functions/admit/handler';
import { createClaimHandler, type ClaimInput } from '../functions/claim/handler';
import type { ClassifyInput } from '../functions/classify/classify';
import { createClassifyHandler } from '../functions/classify/handler';
import { LOCAL_GUARD_ROLE_ARN } from './workflow/guard-role';
import { createCloseHandler } from '../functions/close/handler';
import { createNotifyHandler } from '../functions/notify/handler';
import { createReattachHandler } from '../functions/reattach/handler';
import { createRestoreHandler } from '../functions/restore/handler';
import { createRequestDecisionHandler } from '../functions/request-decision/handler';
import { createSlackInteractionsHandler, slackDecideDependencies, type SlackInteractionsDependencies } from '../functions/slack-interactions/handler';
import { createSlackRelayHandler } from '../functions/slack-relay/handler';
import { createSweepHandler } from '../functions/sweep/handler';
import type { SweepResult } from '../functions/sweep/result';
import { AuditStore } from '../functions/shared/audit/audit-store';
import { IncidentQueries } from '../functions/shared/audit/queries';
import { DesiredStateStore } from '../functions/shared/desired/desired-store';
import type { Incident } from '../functions/shared/incident';
import type { MetricPoint, MetricSink } from '../functions/shared/incident-metrics';
import { decide, type DecideInput, type DecideResult } from '../functions/shared/decisions/decide';
import { decideIncident, type IncidentDecision } from '../cli/decide/decide-incident';
import { DecisionStore } from '../functions/shared/decisions/decision-store';
import type { Log } from '../functions/shared/log';
import type { SlackTarget } from '../functions/shared/slack/slack-poster';
import { RelayedSlackPoster } from '../functions/shared/slack/slack-relay';
import type { ProtectionRules } from '../functions/shared/rules/protection-rules';
import { toDocumentClient } from '../functions/shared/clients/dynamodb';
import { CLOUDTRAIL_CLIENT_OPTIONS } from '../functions/shared/clients/cloudtrail';
import { clientOptionsWithSockets, LOCAL_ADMISSION_TIMEOUTS, LOCAL_DYNAMODB_TIMEOUTS, LOCAL_MAX_SOCKETS, LOCAL_SNS_TIMEOUTS } from '../functions/shared/clients/timeouts';
import { organizationsClientOptions, SWEEP_ORGANIZATIONS_CLIENT_OPTIONS } from '../functions/shared/clients/organizations';
import { SFN_CLIENT_OPTIONS } from '../functions/shared/clients/sfn';
import { SNS_CLIENT_OPTIONS } from '../functions/shared/clients/sns';
import { SlackNotifier } from '../functions/shared/slack/slack-notifier';
import type { HumanDecision } from '../functions/shared/vocabulary';
import { FUNCTION_TIMEOUT_SECONDS } from '../functions/shared/workflow-functions';
import { AwsServiceError } from './stand-ins/aws-json-protocol/errors';
import { localDynamoDbClient, LOCAL_CREDENTIALS, LOCAL_REGION } from './dynamodb/dynamodb-local';
import { localSdkIntegrations } from './workflow/sdk-integrations';
import { DynamoDbFaultProxy, type DynamoDbFaults } from './dynamodb/fault-proxy';
import { leaseAuditTable, type AuditTableLease } from './dynamodb/local-audit-data';
import { stderrLog } from './local-log';
import { LocalOrganizationsEndpoint } from './stand-ins/organizations/endpoint';
import type { FaultOptions } from './stand-ins/organizations/fault-injector';
import type { OrganizationFile } from './stand-ins/organizations/organization-file';
import { LocalOrganization } from './stand-ins/organizations/organization-state';
import { DrainableSlack } from './slack-calls';
import { SlackStandIn } from './stand-ins/slack/slack-stand-in';
import { SnsStandIn, type PublishedMessage } from './stand-ins/sns/sns-stand-in';
import { CloudTrailStandIn } from './stand-ins/cloudtrail/cloudtrail-stand-in';
import { LocalStepFunctionsEndpoint } from './stand-ins/step-functions/endpoint';
import { LocalWorkflow, LOCAL_ACCOUNT, LOCAL_STATE_MACHINE_ARN, localExecutionArn, type ExecutionRecord, type LocalWorkflowOptions } from './workflow/local-workflow';
import { TaskTokenBroker } from './stand-ins/step-functions/task-tokens';

/**
 * The local clients of the admission store wait up to 8 s per call (LOCAL_ADMISSION_TIMEOUTS:
 * DynamoDB Local on a loaded machine), not 1 s: the functions that call it get the same room
 * locally that they have in Lambda, their calls' worst case inside their timeout (classify: its
 * lookups and a ticket; admit: a throttle report and a new ticket, each a few calls).
 */
const LOCAL_FUNCTION_TIMEOUTS_MS = { classify: 30_000, admit: 50_000 } as const;

/** ClaimIncident against DynamoDB Local: the local client's own request timeout (LOCAL_DYNAMODB_TIMEOUTS), not the ASL's 3 s. */
const LOCAL_TASK_TIMEOUTS_SECONDS = { ClaimIncident: LOCAL_DYNAMODB_TIMEOUTS.requestTimeoutMs / 1000 };

export const LOCAL_TOPIC_ARN = `arn:aws:sns:us-east-1:${LOCAL_ACCOUNT}:scp-guardian-notifications`;
/**
 * The canary function's role in local runs: `local --canary` makes its DetachPolicy as this role,
 * and classify knows it, as the CDK tells the deployed classify the real one.
 */
export const LOCAL_CANARY_ROLE_ARN = `arn:aws:iam::${LOCAL_ACCOUNT}:role/scp-guardian-local-canary`;
/** The bot token the Slack stand-in accepts. */
export const STAND_IN_SLACK_TOKEN = 'xoxb-local-standIn';
const STAND_IN_SLACK_CHANNEL = 'C0LOCAL01';

/** One answer of the admission (AdmitAttachment, CheckAdmission, ReadmitAttachment, or classify's ticket). */
export interface AdmissionStep {
  readonly phase: AdmitEvent['phase'];
  readonly incidentId?: string;
  /** Epoch milliseconds the step started and answered. */
  readonly startedAt: number;
  readonly answeredAt: number;
  readonly answer: Admission;
}

export interface LocalEnvironmentOptions {
  rules: ProtectionRules;
  /** The organization to serve; ignored when `organizationsEndpoint` is given. */
  organization?: OrganizationFile;
  /** Another endpoint that speaks the Organizations protocol (LocalStack, moto, a double). */
  organizationsEndpoint?: string;
  faults?: FaultOptions;
  /**
   * The Organizations client's request timeout in milliseconds; tests that hang a call shorten it.
   * @default the handlers' (functions/shared/clients/timeouts.ts)
   */
  organizationsRequestTimeoutMs?: number;
  /** An already running DynamoDB Local; otherwise one is started and stopped with this environment. */
  dynamoDbEndpoint?: string;
  /**
   * Without `dynamoDbEndpoint`: keep the audit trail in this folder (emptied at the start), where
   * `scp-guardian audit --local` reads it after the run. Without either, it lives in memory.
   */
  dataDir?: string;
  /**
   * Puts a fault-injecting proxy (local/dynamodb/fault-proxy.ts) between the workflow and DynamoDB
   * Local: `audit` and `decisions` go through it, `trueAudit` does not.
   * @default no proxy
   */
  dynamoDbFaults?: DynamoDbFaults;
  /** Real Slack: when both are set, messages go to Slack instead of the stand-in. */
  slack?: { token: string; channel?: string };
  /** Slack's signing secret, for signed interactions (`--serve`). */
  slackSigningSecret?: string;
  /**
   * The canary function's IAM role ARN, which classify recognises.
   * @default LOCAL_CANARY_ROLE_ARN
   */
  canaryRoleArn?: string;
  /** Shortens every approval window to this many seconds (the runner says so). */
  approvalTimeoutSeconds?: number;
  /** Milliseconds before each retry of the named states instead of the ASL's backoff. */
  retryIntervalOverrides?: Record<string, number>;
  /** Retry transient errors for this many seconds instead of the rules' remediation deadline (tests and benches shorten it). */
  remediationDeadlineSeconds?: number;
  /** Milliseconds the named Wait states wait, instead of the ASL's seconds (tests shorten WaitBeforeRetrying). */
  waitTimeOverrides?: Record<string, number>;
  /** Each workflow function's timeout in milliseconds, instead of its Lambda timeout (tests shorten them). */
  functionTimeoutsMs?: LocalWorkflowOptions['functionTimeoutsMs'];
  /** Called whenever an incident starts waiting for a decision. */
  onDecisionRequested?: (request: { incidentId: string; decisionId: string; deadline: string }) => void;
  onPublish?: (message: PublishedMessage) => void;
  /** Every admission step's answer, as it is given (the storm bench's --trace). */
  onAdmission?: (step: AdmissionStep) => void;
  log?: (incidentId?: string) => Log;
  /**
   * MaxResults of the sweep's Organizations list calls (tests page small).
   * @default the service's own page size
   */
  sweepPageSize?: number;
}

/** One local sweep: its result, and the drift executions it started (by StartExecution). */
export interface LocalSweep {
  result: SweepResult;
  executions: Promise<ExecutionRecord>[];
}

/**
 * Everything the workflow talks to, on this machine: DynamoDB Local, the local Organizations
 * endpoint, a Step Functions endpoint for task tokens, SNS and Slack stand-ins; and the real
 * ASL run by aws-local-stepfunctions with every Lambda task mapped to its real handler.
 */
export class LocalEnvironment {
  readonly audit: AuditStore;
  readonly decisions: DecisionStore;
  /** The desired state, through the same client (and fault proxy) as the workflow's stores. */
  readonly desired: DesiredStateStore;
  /**
   * The audit trail as DynamoDB Local really holds it, past the fault proxy: for tests and reports
   * to see what was written. The same store as `audit` without `dynamoDbFaults`.
   */
  readonly trueAudit: AuditStore;
  readonly workflow: LocalWorkflow;
  /** The slack-interactions function's handler: Slack's signed clicks and dialogs (`--serve`). */
  readonly interactions: ReturnType<typeof createSlackInteractionsHandler>;
  /** The one Slack client (stand-in or real) of the workflow, the decisions and the interactions; drained by `stop`. */
  readonly slackNotifier: DrainableSlack;
  /** The metric points the handlers emitted (CloudWatch in AWS), for assertions. */
  readonly metrics: MetricPoint[] = [];
  /** The shared AttachPolicy admission schedule the workflow's admit handler uses. */
  readonly admissionStore: AdmissionStore;
  /** AttachPolicy calls made by the workflow's Organizations client, failed ones included. */
  attachCalls = 0;
  /** The canary function's role, as classify knows it. */
  readonly canaryRoleArn: string;
  /** The incident each execution claimed (or found claimed), by execution ARN. */
  readonly executionIncidents = new Map<string, string>();
  /** When the runner applied each replayed change, by execution ARN: the time to remediate counts from it. */
  private readonly replayAppliedAt = new Map<string, string>();
  private readonly incidentWaiters = new Map<string, (incidentId: string | undefined) => void>();
  /** Executions started by name (StartExecution), as Step Functions remembers them. */
  private readonly namedExecutions = new Map<string, { input: string; executionArn: string; startDate: number; running: boolean; result: Promise<ExecutionRecord> }>();
  private readonly sweepHandler: ReturnType<typeof createSweepHandler>;
  /** Aborted by `stop`: a sweep still running then stops at once, as at its deadline. */
  private readonly stopping = new AbortController();

  private constructor(
    readonly options: LocalEnvironmentOptions,
    readonly tableName: string,
    readonly dynamoDbEndpoint: string,
    private readonly auditTable: AuditTableLease,
    readonly organizationsEndpoint: LocalOrganizationsEndpoint | undefined,
    readonly organizationsUrl: string,
    readonly stepFunctions: LocalStepFunctionsEndpoint,
    readonly broker: TaskTokenBroker,
    readonly sns: SnsStandIn,
    /** CloudTrail's event history: the CloudTrail records of the envelopes `run` received. */
    readonly cloudTrail: CloudTrailStandIn,
    readonly slackStandIn: SlackStandIn | undefined,
    slackTarget: SlackTarget,
    /** With `dynamoDbFaults`: the proxy the workflow's stores go through, and its counts. */
    readonly dynamoDbFaultProxy?: DynamoDbFaultProxy,
  ) {
    const log = options.log ?? stderrLog('warn');
    // The workflow's stores reach DynamoDB Local through the fault proxy when there is one.
    const workflowDynamoDb = dynamoDbFaultProxy?.url ?? dynamoDbEndpoint;
    const documentClient = toDocumentClient(localDynamoDbClient(workflowDynamoDb));
    this.audit = new AuditStore(documentClient, tableName);
    this.decisions = new DecisionStore(documentClient, tableName);
    this.desired = new DesiredStateStore(documentClient, tableName);
    this.trueAudit = dynamoDbFaultProxy === undefined ? this.audit : new AuditStore(toDocumentClient(localDynamoDbClient(dynamoDbEndpoint)), tableName);
    const organizationsOptions = organizationsClientOptions(options.organizationsRequestTimeoutMs);
    const organizations = new OrganizationsClient({
      ...organizationsOptions,
      requestHandler: { ...organizationsOptions.requestHandler, httpAgent: { keepAlive: true, maxSockets: LOCAL_MAX_SOCKETS } },
      endpoint: organizationsUrl,
      credentials: LOCAL_CREDENTIALS,
    });
    organizations.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'AttachPolicyCommand') this.attachCalls++;
        return next(args);
      },
      { step: 'initialize', name: 'countAttachCalls' },
    );
    const snsClient = new SNSClient({ ...SNS_CLIENT_OPTIONS, ...clientOptionsWithSockets(LOCAL_SNS_TIMEOUTS, LOCAL_MAX_SOCKETS), endpoint: sns.url, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
    const sfnClient = new SFNClient({ ...SFN_CLIENT_OPTIONS, endpoint: stepFunctions.url, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    this.canaryRoleArn = options.canaryRoleArn ?? LOCAL_CANARY_ROLE_ARN;
    this.slackNotifier = slackTarget.poster as DrainableSlack;
    const { rules } = options;
    const metrics: MetricSink = (points) => this.metrics.push(...points);
    const deadlineSeconds = options.remediationDeadlineSeconds ?? rules.remediation.deadlineMinutes * 60;
    // Every function below is built by its own create...Handler factory, as its Lambda handler
    // is, with the local clients and stores in place of the environment's.
    // The sweep function: its own Organizations client (adaptive retries), CloudTrail's history,
    // and StartExecution through the real SFN client.
    stepFunctions.executions = (request) => this.startNamedExecution(request.stateMachineArn, request.name, request.input);
    this.sweepHandler = createSweepHandler({
      rules,
      organizations: new OrganizationsClient({ ...SWEEP_ORGANIZATIONS_CLIENT_OPTIONS, endpoint: organizationsUrl, credentials: LOCAL_CREDENTIALS }),
      cloudTrail: new CloudTrailClient({ ...CLOUDTRAIL_CLIENT_OPTIONS, endpoint: cloudTrail.url, credentials: LOCAL_CREDENTIALS }),
      sfn: sfnClient,
      stateMachineArn: LOCAL_STATE_MACHINE_ARN,
      desired: this.desired,
      audit: this.audit,
      queries: new IncidentQueries(documentClient, tableName),
      pageSize: options.sweepPageSize,
      signal: this.stopping.signal,
      log: log(),
      metrics,
    });
    // The admission store through the same proxy as the audit trail, with the short timeout its
    // own client has in Lambda (lengthened for DynamoDB Local, clients/timeouts.ts) and one attempt.
    this.admissionStore = admissionStoreFor(rules, toDocumentClient(localDynamoDbClient(workflowDynamoDb, LOCAL_ADMISSION_TIMEOUTS, 1)), tableName);
    const admit = this.observedAdmissions(createAdmitHandler({ rules, store: this.admissionStore, deadlineSeconds, log }));
    // The workflow's handlers reach Slack as in AWS: through the slack-relay handler (here
    // in-process, the request serialised as Lambda would), never with a token of their own.
    const relay = createSlackRelayHandler({ slack: this.slackNotifier, log: log() });
    const workflowSlack: SlackTarget = {
      channel: slackTarget.channel,
      poster: new RelayedSlackPoster(async (request) => relay(JSON.parse(JSON.stringify(request)))),
    };
    const interactions: SlackInteractionsDependencies = {
      rules,
      audit: this.audit,
      decisions: this.decisions,
      sfn: sfnClient,
      signingSecret: async () => options.slackSigningSecret,
      slack: this.slackNotifier,
      metrics,
      log: log(),
    };
    this.interactions = createSlackInteractionsHandler(interactions);
    // `scp-guardian decide` run locally decides as a Slack click does.
    this.decideDeps = slackDecideDependencies(interactions);

    this.workflow = new LocalWorkflow({
      broker,
      // The direct Task states (ClaimIncident, AttachPolicy): the claim through the same proxy as
      // the audit trail, one attempt (the state's TimeoutSeconds bounds it, as in AWS), and
      // AttachPolicy through the workflow's Organizations client (counted in attachCalls).
      integrations: localSdkIntegrations({
        dynamodb: localDynamoDbClient(workflowDynamoDb, LOCAL_DYNAMODB_TIMEOUTS, 1),
        organizations,
      }),
      rules,
      retryIntervalOverrides: options.retryIntervalOverrides,
      waitTimeOverrides: options.waitTimeOverrides,
      functionTimeoutsMs: { ...LOCAL_FUNCTION_TIMEOUTS_MS, ...options.functionTimeoutsMs },
      taskTimeoutsSeconds: LOCAL_TASK_TIMEOUTS_SECONDS,
      handlers: {
        // Classify as deployed: it prepares the claim's items and takes an auto incident's admission ticket.
        classify: this.observedClassify(
          createClassifyHandler({
            rules,
            organizations,
            log,
            canaryRoleArn: this.canaryRoleArn,
            guardRoleArns: [LOCAL_GUARD_ROLE_ARN],
            claimItems: (incident, executionArn) => this.audit.claimTransactItems(this.withReplayTime(incident, executionArn), executionArn),
            admit,
          }),
        ),
        claim: this.observedClaim(createClaimHandler({ audit: this.audit, log })),
        admit,
        'request-decision': this.observedDecisionRequests(
          createRequestDecisionHandler({ decisions: this.decisions, overrides: rules.overrides, audit: this.audit, sns: snsClient, topicArn: LOCAL_TOPIC_ARN, slack: workflowSlack, log }),
        ),
        reattach: createReattachHandler({ organizations, audit: this.audit, desired: this.desired, deadlineSeconds, log }),
        restore: createRestoreHandler({ organizations, desired: this.desired, rules, deadlineSeconds, log }),
        close: createCloseHandler({ audit: this.audit, desired: this.desired, log, metrics, overrides: rules.overrides }),
        notify: createNotifyHandler({ sns: snsClient, topicArn: LOCAL_TOPIC_ARN, audit: this.audit, slack: workflowSlack, log, metrics }),
      },
    });
  }

  /** The admit handler, each answer also told to `onAdmission` (the storm bench's --trace). */
  private observedAdmissions(admit: ReturnType<typeof createAdmitHandler>): ReturnType<typeof createAdmitHandler> {
    const { onAdmission } = this.options;
    if (onAdmission === undefined) return admit;
    return async (input) => {
      const startedAt = Date.now();
      const answer = await admit(input);
      onAdmission({ phase: input.phase, incidentId: input.incident?.incidentId, startedAt, answeredAt: Date.now(), answer });
      return answer;
    };
  }

  /**
   * The classify handler, its incident given the replayed change's time, known as the execution's
   * incident at once, and its approval window shortened when the runner was asked to.
   */
  private observedClassify(classify: ReturnType<typeof createClassifyHandler>): ReturnType<typeof createClassifyHandler> {
    return async (input: ClassifyInput) => {
      const classified = await classify(input);
      classified.incident = this.withReplayTime(classified.incident, input.executionId);
      this.executionIncidents.set(input.executionId, classified.incident.incidentId);
      this.incidentWaiters.get(input.executionId)?.(classified.incident.incidentId);
      const shortened = this.options.approvalTimeoutSeconds;
      if (shortened !== undefined && classified.incident.approval !== undefined) {
        classified.incident.approval = { ...classified.incident.approval, timeoutSeconds: shortened };
      }
      return classified;
    };
  }

  /** The claim handler, its incident known as the execution's before the claim is made. */
  private observedClaim(claim: ReturnType<typeof createClaimHandler>): ReturnType<typeof createClaimHandler> {
    return async (input: ClaimInput) => {
      this.executionIncidents.set(input.executionArn, input.incident.incidentId);
      this.incidentWaiters.get(input.executionArn)?.(input.incident.incidentId);
      return claim(input);
    };
  }

  /** The request-decision handler, each request made also told to `onDecisionRequested`. */
  private observedDecisionRequests(handler: ReturnType<typeof createRequestDecisionHandler>): ReturnType<typeof createRequestDecisionHandler> {
    return async (input) => {
      const answer = await handler(input);
      if (!('phase' in input && input.phase === 'timed-out')) this.options.onDecisionRequested?.({ incidentId: input.incident.incidentId, ...(answer as { decisionId: string; deadline: string }) });
      return answer;
    };
  }

  private readonly decideDeps: Parameters<typeof decide>[1];

  /** The incident with when its replayed change was applied, for an execution the runner started with one. */
  private withReplayTime(incident: Incident, executionArn: string): Incident {
    const appliedAt = this.replayAppliedAt.get(executionArn);
    return appliedAt === undefined ? incident : { ...incident, replayAppliedAt: appliedAt };
  }

  static async start(options: LocalEnvironmentOptions): Promise<LocalEnvironment> {
    const started: { stop(): unknown }[] = [];
    try {
      const auditTable = await leaseAuditTable(options);
      started.push(auditTable);
      const { endpoint: dynamoDbEndpoint, tableName } = auditTable;
      let dynamoDbFaultProxy: DynamoDbFaultProxy | undefined;
      if (options.dynamoDbFaults !== undefined) {
        dynamoDbFaultProxy = await new DynamoDbFaultProxy(dynamoDbEndpoint, options.dynamoDbFaults).start();
        started.push(dynamoDbFaultProxy);
      }

      let organizationsEndpoint: LocalOrganizationsEndpoint | undefined;
      let organizationsUrl = options.organizationsEndpoint;
      if (organizationsUrl === undefined) {
        if (options.organization === undefined) throw new Error('an organization file or an Organizations endpoint is required');
        organizationsEndpoint = new LocalOrganizationsEndpoint(new LocalOrganization(options.organization), { faults: options.faults });
        organizationsUrl = (await organizationsEndpoint.start()).url;
        started.push(organizationsEndpoint);
      }

      const broker = new TaskTokenBroker();
      const stepFunctions = new LocalStepFunctionsEndpoint(broker);
      await stepFunctions.start();
      started.push(stepFunctions);
      const sns = new SnsStandIn(options.onPublish);
      await sns.start();
      started.push(sns);
      const cloudTrail = new CloudTrailStandIn();
      await cloudTrail.start();
      started.push(cloudTrail);

      let slackStandIn: SlackStandIn | undefined;
      let slackTarget: SlackTarget;
      if (options.slack?.token !== undefined && options.slack.channel !== undefined) {
        slackTarget = { poster: new DrainableSlack(new SlackNotifier({ token: options.slack.token })), channel: options.slack.channel };
      } else {
        slackStandIn = new SlackStandIn({ token: STAND_IN_SLACK_TOKEN });
        await slackStandIn.start();
        started.push(slackStandIn);
        slackTarget = {
          // The stand-in answers at once: one shared client serves every execution of a storm (each
          // Lambda container would hold its own), so it is sized for the storm, and its timeout
          // (still inside notify's 15 s) measures the harness only when the machine is starved.
          poster: new DrainableSlack(new SlackNotifier({ token: STAND_IN_SLACK_TOKEN, slackApiUrl: slackStandIn.apiUrl, maxRequestConcurrency: LOCAL_MAX_SOCKETS, timeoutMs: 12_000 })),
          channel: options.rules.notify.slackChannel ?? STAND_IN_SLACK_CHANNEL,
        };
      }
      return new LocalEnvironment(
        options,
        tableName,
        dynamoDbEndpoint,
        auditTable,
        organizationsEndpoint,
        organizationsUrl,
        stepFunctions,
        broker,
        sns,
        cloudTrail,
        slackStandIn,
        slackTarget,
        dynamoDbFaultProxy,
      );
    } catch (error) {
      await Promise.allSettled(started.map((component) => component.stop()));
      throw error;
    }
  }

  /** The local organization, when this environment serves it. */
  get organization(): LocalOrganization | undefined {
    return this.organizationsEndpoint?.organization;
  }

  /**
   * Starts one workflow execution for an EventBridge envelope (named, or a random name). A
   * CloudTrail record in it goes into the local event history, as CloudTrail would have it.
   * `replay.appliedAt`: when the runner applied the event's change to the local organization
   * (local/replay.ts); the incident's time to remediate counts from it, not from the event's own
   * time, which for a replayed sample is days old.
   */
  run(
    envelope: unknown,
    executionName?: string,
    replay?: { appliedAt: string },
  ): { executionArn: string; result: Promise<ExecutionRecord>; incidentId: Promise<string | undefined> } {
    this.cloudTrail.record(envelope);
    const name = executionName ?? randomUUID();
    // Known before the execution starts: classify may build the claim before start() returns.
    if (replay !== undefined) this.replayAppliedAt.set(localExecutionArn(name), replay.appliedAt);
    const execution = this.workflow.start(envelope, name);
    if (replay !== undefined) void execution.result.finally(() => this.replayAppliedAt.delete(execution.executionArn));
    const incidentId = new Promise<string | undefined>((resolve) => {
      this.incidentWaiters.set(execution.executionArn, resolve);
      void execution.result.then(() => resolve(this.executionIncidents.get(execution.executionArn)));
    }).finally(() => this.incidentWaiters.delete(execution.executionArn));
    return { ...execution, incidentId };
  }

  /**
   * StartExecution as Step Functions answers it for a STANDARD workflow: a name already used is
   * ExecutionAlreadyExists, unless it is still running with the same input (then the same answer).
   */
  private startNamedExecution(stateMachineArn: string, name: string, input: string): { executionArn: string; startDate: number } {
    if (stateMachineArn !== LOCAL_STATE_MACHINE_ARN) throw new AwsServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
    const existing = this.namedExecutions.get(name);
    if (existing !== undefined) {
      if (existing.running && existing.input === input) return { executionArn: existing.executionArn, startDate: existing.startDate };
      throw new AwsServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${existing.executionArn}'`);
    }
    let envelope: unknown;
    try {
      envelope = JSON.parse(input);
    } catch {
      throw new AwsServiceError('InvalidExecutionInput', 'Invalid State Machine Execution Input: the input is not JSON');
    }
    const run = this.run(envelope, name);
    const record = { input, executionArn: run.executionArn, startDate: Date.now() / 1000, running: true, result: run.result };
    this.namedExecutions.set(name, record);
    void run.result.finally(() => (record.running = false));
    return { executionArn: record.executionArn, startDate: record.startDate };
  }

  /**
   * One sweep (`local --sweep`, `POST /reconcile`, the sweep every local run starts with), by the
   * sweep function's own handler, bounded by its function's timeout as in Lambda.
   */
  async sweep(options: { dryRun?: boolean } = {}): Promise<LocalSweep> {
    const deadline = Date.now() + FUNCTION_TIMEOUT_SECONDS.sweep * 1000;
    // Not a CloudFormation event, so the handler always sweeps and answers a result.
    const result = (await this.sweepHandler({ dryRun: options.dryRun === true }, { getRemainingTimeInMillis: () => deadline - Date.now() })) as SweepResult;
    return { result, executions: result.incidents.flatMap((id) => this.namedExecutions.get(id)?.result ?? []) };
  }

  /** Decides a waiting incident through the same path as `scp-guardian decide`. */
  decideIncident(incidentId: string, decision: HumanDecision, by: string, reason?: string, forMinutes?: number): Promise<IncidentDecision> {
    return decideIncident({ incidentId, decision, by, reason, forMinutes }, this.decideDeps);
  }

  decide(input: DecideInput): Promise<DecideResult> {
    return decide(input, this.decideDeps);
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    // Executions still running first (one waiting for a decision would hold its timers for hours).
    await this.workflow.stop();
    // Then Slack's calls, while the stand-in still answers them: none outlives the environment.
    await this.slackNotifier.drain();
    await Promise.allSettled([this.organizationsEndpoint?.stop(), this.stepFunctions.stop(), this.sns.stop(), this.cloudTrail.stop(), this.slackStandIn?.stop(), this.dynamoDbFaultProxy?.stop()]);
    await this.auditTable.stop();
  }
}

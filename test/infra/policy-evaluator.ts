import { actionCovers, asList, type CfnTemplate, type Statement } from './support';

/**
 * A small IAM evaluator for template tests. It resolves CloudFormation intrinsics against a fixed
 * account and region and decides a request as AWS does within one account: an explicit Deny that
 * applies wins; otherwise an Allow is needed, from the resource policy or (for a role) from its
 * IAM policies, except that a KMS key honours IAM policies only where its key policy allows the
 * account itself. Conditions are evaluated against the request's context: a key the context
 * lists as `undefined` is known to be absent, a key it does not list is unknown, and an unknown
 * key never satisfies an Allow but always lets a Deny apply (both err on the side of "cannot
 * publish"). Only what scp-guardian's templates use is modelled; anything else throws.
 */

export const ACCOUNT = '111122223333';
export const REGION = 'us-east-1';
export const PARTITION = 'aws';

export type Principal = { readonly service: string } | { readonly roleArn: string };

export interface Request {
  readonly principal: Principal;
  readonly action: string;
  readonly resource: string;
  /** Condition keys of the request (any case); `undefined` means known to be absent. */
  readonly context: Readonly<Record<string, string | undefined>>;
}

export interface Decision {
  readonly allowed: boolean;
  /** Why, naming the statements (by Sid, else by index) that decided it. */
  readonly reason: string;
}

/** The policies that decide a request on one resource. */
export interface Policies {
  /** The resource's own policy (topic policy, key policy), resolved. */
  readonly resource: readonly Statement[];
  /** The IAM policies of the principal when it is a role, resolved. */
  readonly identity: readonly Statement[];
  /** KMS: IAM policies count only if the resource policy allows the account principal. */
  readonly identityNeedsDelegation: boolean;
}

type Tri = boolean | 'unknown';

const arn = (service: string, resource: string) => `arn:${PARTITION}:${service}:${REGION}:${ACCOUNT}:${resource}`;
const PSEUDO: Record<string, string> = {
  'AWS::AccountId': ACCOUNT,
  'AWS::Region': REGION,
  'AWS::Partition': PARTITION,
  'AWS::URLSuffix': 'amazonaws.com',
};

/** Resolves Ref, Fn::GetAtt, Fn::Join, Fn::Select, Fn::Split and Fn::Sub in template values to strings. */
export class TemplateResolver {
  constructor(private readonly template: CfnTemplate) {}

  /** The ARN a resource of the template would have (for the resources the tests look at). */
  arnOf(logicalId: string): string {
    return this.attribute(logicalId, 'Arn');
  }

  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.resolve(item));
    if (typeof value !== 'object' || value === null) return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [key, arg] = entries[0] as [string, unknown];
      if (key === 'Ref') return this.ref(String(arg));
      if (key === 'Fn::GetAtt') {
        const [id, attribute] = Array.isArray(arg) ? arg : String(arg).split('.');
        return this.attribute(String(id), String(attribute));
      }
      if (key === 'Fn::Join') {
        const [separator, parts] = arg as [string, unknown];
        return asList(this.resolve(parts)).map(String).join(separator);
      }
      if (key === 'Fn::Select') {
        const [index, list] = arg as [unknown, unknown];
        return asList(this.resolve(list))[Number(this.resolve(index))];
      }
      if (key === 'Fn::Split') {
        const [separator, text] = arg as [string, unknown];
        return String(this.resolve(text)).split(separator);
      }
      if (key === 'Fn::Sub') {
        const [text, variables] = (Array.isArray(arg) ? arg : [arg, {}]) as [string, Record<string, unknown>];
        return text.replace(/\$\{([^}!]+)\}/g, (_m, name: string) =>
          name in variables ? String(this.resolve(variables[name])) : name.includes('.') ? this.attribute(...(name.split('.') as [string, string])) : this.ref(name),
        );
      }
      if (key.startsWith('Fn::') || key === 'Condition') throw new Error(`policy evaluator: ${key} is not modelled`);
    }
    return Object.fromEntries(entries.map(([key, child]) => [key, this.resolve(child)]));
  }

  private type(logicalId: string): string {
    const resource = this.template.Resources[logicalId];
    if (resource === undefined) throw new Error(`policy evaluator: no resource ${logicalId} in the template`);
    return resource.Type;
  }

  private ref(name: string): string {
    if (name in PSEUDO) return PSEUDO[name] as string;
    if (name.startsWith('AWS::')) throw new Error(`policy evaluator: pseudo parameter ${name} is not modelled`);
    switch (this.type(name)) {
      case 'AWS::SNS::Topic':
      case 'AWS::StepFunctions::StateMachine':
      case 'AWS::SecretsManager::Secret':
        return this.arnOf(name);
      case 'AWS::SQS::Queue':
        return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}`;
      default:
        return name; // the physical name or id: Lambda functions, roles, tables, log groups, keys
    }
  }

  private attribute(logicalId: string, attribute: string): string {
    const type = this.type(logicalId);
    if (attribute !== 'Arn' && !(type === 'AWS::SNS::Topic' && attribute === 'TopicArn')) return `${logicalId}.${attribute}`;
    const arns: Record<string, string> = {
      'AWS::IAM::Role': `arn:${PARTITION}:iam::${ACCOUNT}:role/${logicalId}`,
      'AWS::KMS::Key': arn('kms', `key/${logicalId}`),
      'AWS::SNS::Topic': arn('sns', logicalId),
      'AWS::Lambda::Function': arn('lambda', `function:${logicalId}`),
      'AWS::DynamoDB::Table': arn('dynamodb', `table/${logicalId}`),
      'AWS::Logs::LogGroup': arn('logs', `log-group:${logicalId}:*`),
      'AWS::SQS::Queue': arn('sqs', logicalId),
      'AWS::StepFunctions::StateMachine': arn('states', `stateMachine:${logicalId}`),
      'AWS::SecretsManager::Secret': arn('secretsmanager', `secret:${logicalId}`),
      'AWS::Events::Rule': arn('events', `rule/${logicalId}`),
      'AWS::CloudWatch::Alarm': arn('cloudwatch', `alarm:${logicalId}`),
    };
    return arns[type] ?? `${logicalId}.Arn`;
  }
}

/** Glob match with IAM's `*` and `?`. */
function glob(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}

const ACCOUNT_PRINCIPALS = new Set([ACCOUNT, `arn:${PARTITION}:iam::${ACCOUNT}:root`]);

/** How a resource policy's principal element names the request's principal. */
function principalMatch(element: unknown, principal: Principal): 'direct' | 'account' | 'none' {
  if (element === '*') return 'direct';
  if (typeof element !== 'object' || element === null) throw new Error(`policy evaluator: principal ${JSON.stringify(element)} is not modelled`);
  const named = element as Record<string, unknown>;
  const aws = asList(named.AWS).map(String);
  if (aws.includes('*')) return 'direct';
  if ('service' in principal) return asList(named.Service).includes(principal.service) ? 'direct' : 'none';
  if (aws.includes(principal.roleArn)) return 'direct';
  return aws.some((p) => ACCOUNT_PRINCIPALS.has(p)) ? 'account' : 'none';
}

const NEGATED = new Set(['StringNotEquals', 'StringNotEqualsIgnoreCase', 'StringNotLike', 'ArnNotEquals', 'ArnNotLike']);
const COMPARE: Record<string, (pattern: string, value: string) => boolean> = {
  StringEquals: (p, v) => p === v,
  StringNotEquals: (p, v) => p === v,
  StringEqualsIgnoreCase: (p, v) => p.toLowerCase() === v.toLowerCase(),
  StringNotEqualsIgnoreCase: (p, v) => p.toLowerCase() === v.toLowerCase(),
  StringLike: (p, v) => glob(p, v),
  StringNotLike: (p, v) => glob(p, v),
  // IAM's ArnEquals and ArnLike both take wildcards, and compare each of the six ARN fields.
  ArnEquals: (p, v) => glob(p, v),
  ArnLike: (p, v) => glob(p, v),
  ArnNotEquals: (p, v) => glob(p, v),
  ArnNotLike: (p, v) => glob(p, v),
  Bool: (p, v) => p.toLowerCase() === v.toLowerCase(),
};

/** One condition operator over its keys: true, false, or unknown (a key the context does not list). */
function conditionHolds(operator: string, keys: Record<string, unknown>, context: Request['context']): Tri {
  const qualifier = operator.match(/^(ForAnyValue|ForAllValues):/)?.[1];
  const bare = operator.replace(/^(ForAnyValue|ForAllValues):/, '');
  const ifExists = bare.endsWith('IfExists');
  const name = ifExists ? bare.slice(0, -'IfExists'.length) : bare;
  const lookup = Object.fromEntries(Object.entries(context).map(([key, value]) => [key.toLowerCase(), { value }]));
  let result: Tri = true;
  for (const [key, expected] of Object.entries(keys)) {
    const patterns = asList(expected).map(String);
    const entry = lookup[key.toLowerCase()];
    let holds: Tri;
    if (entry === undefined) holds = 'unknown';
    else if (name === 'Null') holds = patterns.includes(String(entry.value === undefined));
    else if (!(name in COMPARE)) throw new Error(`policy evaluator: condition operator ${operator} is not modelled`);
    else if (entry.value === undefined) holds = ifExists || NEGATED.has(name) || qualifier === 'ForAllValues';
    else {
      const value = entry.value;
      const any = patterns.some((pattern) => (COMPARE[name] as (p: string, v: string) => boolean)(pattern, value));
      holds = NEGATED.has(name) ? !any : any;
    }
    if (holds === false) return false;
    if (holds === 'unknown') result = 'unknown';
  }
  return result;
}

function conditionsHold(condition: unknown, context: Request['context']): Tri {
  let result: Tri = true;
  for (const [operator, keys] of Object.entries((condition ?? {}) as Record<string, Record<string, unknown>>)) {
    const holds = conditionHolds(operator, keys, context);
    if (holds === false) return false;
    if (holds === 'unknown') result = 'unknown';
  }
  return result;
}

/** Whether a statement covers the request; for resource policies, how it names the principal. */
function covers(statement: Statement, request: Request, resourcePolicy: boolean): { applies: Tri; via: 'direct' | 'account' } | undefined {
  let via: 'direct' | 'account' = 'direct';
  if (resourcePolicy) {
    const notPrincipal = (statement as { NotPrincipal?: unknown }).NotPrincipal;
    if (notPrincipal !== undefined) {
      if (principalMatch(notPrincipal, request.principal) !== 'none') return undefined;
    } else {
      const match = principalMatch(statement.Principal, request.principal);
      if (match === 'none') return undefined;
      via = match;
    }
  }
  if (statement.Action !== undefined && !asList(statement.Action).some((a) => actionCovers(String(a), request.action))) return undefined;
  if (statement.NotAction !== undefined && asList(statement.NotAction).some((a) => actionCovers(String(a), request.action))) return undefined;
  const notResource = (statement as { NotResource?: unknown }).NotResource;
  if (statement.Resource === undefined && notResource === undefined) throw new Error('policy evaluator: a statement names no Resource');
  if (statement.Resource !== undefined && !asList(statement.Resource).some((r) => glob(String(r), request.resource))) return undefined;
  if (notResource !== undefined && asList(notResource).some((r) => glob(String(r), request.resource))) return undefined;
  return { applies: conditionsHold(statement.Condition, request.context), via };
}

const label = (statement: Statement, index: number, where: string) => `${where} ${(statement as { Sid?: string }).Sid ?? `statement ${index}`}`;

/** Decides `request` under `policies` (statements already resolved with TemplateResolver). */
export function evaluate(request: Request, policies: Policies): Decision {
  const isRole = 'roleArn' in request.principal;
  const sets: [readonly Statement[], boolean, string][] = [
    [policies.resource, true, 'resource policy'],
    [isRole ? policies.identity : [], false, 'IAM policy'],
  ];
  const allows: { where: string; via: 'direct' | 'account'; resourcePolicy: boolean }[] = [];
  for (const [statements, resourcePolicy, where] of sets) {
    for (const [index, statement] of statements.entries()) {
      const covered = covers(statement, request, resourcePolicy);
      if (covered === undefined || covered.applies === false) continue;
      const name = label(statement, index, where);
      if (statement.Effect === 'Deny') {
        return { allowed: false, reason: `${name} denies it${covered.applies === 'unknown' ? ' (a condition key it tests is not known for this request)' : ''}` };
      }
      if (covered.applies === true) allows.push({ where: name, via: covered.via, resourcePolicy });
    }
  }
  const direct = allows.filter((a) => a.resourcePolicy && a.via === 'direct');
  if (direct.length > 0) return { allowed: true, reason: `allowed by ${direct.map((a) => a.where).join(', ')}` };
  const identity = allows.filter((a) => !a.resourcePolicy);
  const delegation = allows.filter((a) => a.resourcePolicy && a.via === 'account');
  if (identity.length > 0 && (!policies.identityNeedsDelegation || delegation.length > 0)) {
    return { allowed: true, reason: `allowed by ${[...identity, ...delegation].map((a) => a.where).join(', ')}` };
  }
  if (identity.length > 0) return { allowed: false, reason: `${identity.map((a) => a.where).join(', ')} allows it, but the key policy does not let IAM policies grant it` };
  return { allowed: false, reason: 'no statement allows it' };
}

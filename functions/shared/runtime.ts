import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parseCompiledRules } from './rules/compiled-rules';
import type { ProtectionRules } from './rules/schema';

/**
 * Where a Lambda handler finds its configuration and SDK clients. Each client is created once
 * per container. The local runner does not use these: it builds handlers with its own clients.
 */

/** Organizations is a global service whose endpoint lives in us-east-1. */
export const ORGANIZATIONS_REGION = 'us-east-1';

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`environment variable ${name} is not set`);
  return value;
}

let rules: ProtectionRules | undefined;
/** The protection rules the CDK validated and compiled into this bundle. */
export function rulesFromEnvironment(): ProtectionRules {
  // Spelled out: esbuild's `define` replaces this exact expression with the rules at bundle time.
  rules ??= parseCompiledRules(process.env.SCP_GUARDIAN_RULES);
  return rules;
}

/** Wraps a DynamoDB client so that undefined attributes are left out instead of rejected. */
export function toDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/**
 * Retries live in the state machine, where they are visible and bounded; the SDK's own retries
 * would multiply them, so Organizations calls are made once per attempt.
 */
export const ORGANIZATIONS_CLIENT_OPTIONS = { region: ORGANIZATIONS_REGION, maxAttempts: 1 } as const;

let documentClient: DynamoDBDocumentClient | undefined;
export const defaultDocumentClient = () => (documentClient ??= toDocumentClient(new DynamoDBClient({})));

let organizations: OrganizationsClient | undefined;
export const defaultOrganizationsClient = () => (organizations ??= new OrganizationsClient(ORGANIZATIONS_CLIENT_OPTIONS));

let sns: SNSClient | undefined;
export const defaultSnsClient = () => (sns ??= new SNSClient({}));

let sfn: SFNClient | undefined;
export const defaultSfnClient = () => (sfn ??= new SFNClient({}));

/** Creates `value` on first use: handlers build their dependencies once per container. */
export function once<T>(create: () => T): () => T {
  let value: T | undefined;
  let created = false;
  return () => {
    if (!created) {
      value = create();
      created = true;
    }
    return value as T;
  };
}

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { buildApp, PROJECT_ROOT, RULES_FILE_CONTEXT } from '../../infra/app';

export const SAMPLE_RULES_FILE = path.join(PROJECT_ROOT, 'samples/protection-rules.json');

/** The context `cdk synth` runs with: cdk.json's, feature flags included. */
export function cdkJson(): { app: string; context: Record<string, unknown> } {
  return JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8'));
}

/** A temporary rules file: the sample rules, changed by `edit`. */
export function rulesFileFromSample(edit: (rules: Record<string, any>) => void): string {
  const rules = JSON.parse(readFileSync(SAMPLE_RULES_FILE, 'utf8'));
  edit(rules);
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'scp-guardian-rules-')), 'rules.json');
  writeFileSync(file, JSON.stringify(rules, null, 2));
  return file;
}

/** Context that skips asset bundling, for tests about the app rather than the functions. */
export const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

/** Builds the app as `cdk synth` would (cdk.json context, no AWS environment) and synthesizes it. */
export function synthesize(context: Record<string, unknown> = {}) {
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'scp-guardian-cdk-'));
  const built = buildApp({ context: { ...cdkJson().context, ...context }, env: {}, outdir });
  const assembly = built.app.synth();
  const artifact = assembly.getStackByName(built.stack.stackName);
  return { ...built, assembly, template: Template.fromJSON(artifact.template), templateJson: artifact.template as CfnTemplate };
}

export function withRulesFile(file: string): Record<string, unknown> {
  return { [RULES_FILE_CONTEXT]: file };
}

export interface CfnTemplate {
  Resources: Record<string, { Type: string; Properties?: any; DeletionPolicy?: string; UpdateReplacePolicy?: string }>;
  Outputs?: Record<string, { Value: unknown }>;
}

/** The logical id a construct's CloudFormation resource gets. */
export function logicalId(construct: IConstruct): string {
  const element = construct instanceof CfnElement ? construct : construct.node.defaultChild;
  if (!(element instanceof CfnElement)) throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return Stack.of(construct).getLogicalId(element);
}

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  Condition?: unknown;
  Principal?: unknown;
}

/** Every statement of every policy document in the template, with where it was found. */
export function allStatements(template: CfnTemplate): { where: string; statement: Statement }[] {
  const found: { where: string; statement: Statement }[] = [];
  const visit = (value: unknown, where: string): void => {
    if (Array.isArray(value)) return value.forEach((item, i) => visit(item, `${where}[${i}]`));
    if (typeof value !== 'object' || value === null) return;
    const record = value as Record<string, unknown>;
    if (Array.isArray(record.Statement)) {
      record.Statement.forEach((statement, i) => found.push({ where: `${where}.Statement[${i}]`, statement: statement as Statement }));
    }
    for (const [key, child] of Object.entries(record)) if (key !== 'Statement') visit(child, `${where}.${key}`);
  };
  for (const [id, resource] of Object.entries(template.Resources)) visit(resource.Properties, id);
  return found;
}

export const asList = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** Whether an IAM action pattern (with * and ?) covers `action`; IAM matches case-insensitively. */
export function actionCovers(pattern: string, action: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return regex.test(action);
}

/** The statements of the inline policies attached to a role (by the role's logical id). */
export function roleStatements(template: CfnTemplate, roleLogicalId: string): Statement[] {
  return Object.values(template.Resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && asList(r.Properties.Roles).some((role: any) => role?.Ref === roleLogicalId))
    .flatMap((r) => r.Properties.PolicyDocument.Statement as Statement[]);
}

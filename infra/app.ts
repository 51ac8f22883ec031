import path from 'node:path';
import { Annotations, App } from 'aws-cdk-lib';
import { InvalidRulesError, loadProtectionRules, ruleWarnings } from '../config/load';
import { InvalidOrganizationError } from '../local/stand-ins/organizations/organization-file';
import { CANARY_WARNING_ID, CanaryCheckError, checkCanaryAtSynth, ORGANIZATION_FILE_CONTEXT } from './canary-check';
import { assertHomeRegion, HOME_REGION, ScpGuardianStack, WrongRegionError } from './stack';

/** The folder holding cdk.json; context paths are relative to it. */
export const PROJECT_ROOT = path.resolve(__dirname, '..');
/** The cdk.json context key naming the protection rules file. */
export const RULES_FILE_CONTEXT = 'scp-guardian:rulesFile';
export const DEFAULT_RULES_FILE = 'samples/protection-rules.json';
export const STACK_NAME = 'ScpGuardian';
/** The id of rules warnings on the stack (acknowledge it to silence them under `--strict`). */
export const RULES_WARNING_ID = 'scp-guardian:rules';

export interface BuildAppOptions {
  /** Context for a new App (the CLI passes cdk.json's through CDK_CONTEXT_JSON instead). */
  readonly context?: Record<string, unknown>;
  /** Where CDK_DEFAULT_ACCOUNT and CDK_DEFAULT_REGION are read. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Where the cloud assembly goes. @default the CLI's, or a temporary folder */
  readonly outdir?: string;
}

/**
 * Builds the app: checks the region, validates the rules file named in context (throwing
 * InvalidRulesError naming each bad field), checks the canary against the organization snapshot
 * named in context when there is one (`scp-guardian:organizationFile`, throwing CanaryCheckError),
 * and adds the stack, pinned to us-east-1.
 */
export function buildApp(options: BuildAppOptions = {}) {
  const env = options.env ?? process.env;
  const app = new App({ context: options.context, outdir: options.outdir });
  // The stack is pinned to us-east-1, so the profile's default region (CDK_DEFAULT_REGION) does
  // not matter; only an explicit request for another region is a mistake worth stopping.
  assertHomeRegion(app.node.tryGetContext('region') as string | undefined);
  const rulesFile = path.resolve(PROJECT_ROOT, String(app.node.tryGetContext(RULES_FILE_CONTEXT) ?? DEFAULT_RULES_FILE));
  const rules = loadProtectionRules(rulesFile);
  const organizationFile = app.node.tryGetContext(ORGANIZATION_FILE_CONTEXT) as string | undefined;
  const canaryWarning = checkCanaryAtSynth(rules, organizationFile === undefined ? undefined : String(organizationFile), PROJECT_ROOT);
  const stack = new ScpGuardianStack(app, STACK_NAME, {
    rules,
    env: { account: env.CDK_DEFAULT_ACCOUNT, region: HOME_REGION },
    description: 'scp-guardian: keeps protected AWS Organizations policies attached (detect, decide, reattach, audit)',
  });
  // Legal but misleading rules (one repeating another) are warnings; `cdk synth --strict` fails on them.
  for (const warning of ruleWarnings(rules)) Annotations.of(stack).addWarningV2(RULES_WARNING_ID, `${rulesFile}: ${warning}`);
  if (canaryWarning !== undefined) Annotations.of(stack).addWarningV2(CANARY_WARNING_ID, `${rulesFile}: ${canaryWarning}`);
  return { app, stack, rules, rulesFile };
}

if (require.main === module) {
  try {
    buildApp().app.synth();
  } catch (error) {
    // Configuration mistakes get their message alone, so `cdk synth` names the field.
    if (error instanceof InvalidRulesError || error instanceof WrongRegionError || error instanceof CanaryCheckError || error instanceof InvalidOrganizationError) {
      console.error(`\n${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

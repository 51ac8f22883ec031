import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { executionTimeoutSeconds, type ExecutionTimeoutRules } from '../functions/sweep/execution-timeout';
import { ASL_FILE } from '../functions/shared/workflow-functions';
import { expandSharedRetriers } from './shared-retriers';

/** What the definition depends on: the rules reach it only through the execution timeout. */
export type DefinitionRules = ExecutionTimeoutRules;

/**
 * The workflow definition as the CDK deploys it and the local runner executes it (placeholders
 * unfilled): the ASL file with its shared retriers expanded (shared-retriers.ts) and its
 * top-level TimeoutSeconds set from the rules, if given (else the file's own). Without one, a
 * stuck execution would never time out and the ExecutionsTimedOut alarm could never fire.
 */
export function definitionText(root: string, rules?: DefinitionRules): string {
  const definition = expandSharedRetriers(JSON.parse(readFileSync(join(root, ASL_FILE), 'utf8')) as Record<string, unknown>);
  return `${JSON.stringify(rules === undefined ? definition : { ...definition, TimeoutSeconds: executionTimeoutSeconds(rules) }, null, 2)}\n`;
}

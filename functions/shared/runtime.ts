import { parseCompiledRules } from './rules/compiled-rules';
import type { ProtectionRules } from './rules/protection-rules';

/**
 * Where a Lambda handler finds its configuration. SDK clients live in `clients/`, one module
 * per service, so a handler loads only the clients it uses (cold starts pay for every one).
 * The local runner does not use these: it builds the same handlers, from their
 * `create...Handler` factories, with its own clients.
 */

export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
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

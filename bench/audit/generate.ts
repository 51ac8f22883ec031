import { toIncidentRecord, type IncidentRecord } from '../../functions/shared/audit/records';
import { incidentKey } from '../../functions/shared/audit/table-schema';
import { mulberry32 } from '../../local/stand-ins/organizations/fault-injector';
import type { Incident } from '../../functions/shared/incident';
import { Decision, IncidentStatus, Outcome, type Verdict } from '../../functions/shared/vocabulary';

/** The same seed gives the same organization and history. */
export const seededRandom = mulberry32;

/** Picks from `values` with Zipf-like weights: a few are common, most are rare, as in real orgs. */
function zipf<T>(values: readonly T[], random: () => number, exponent = 1.1): () => T {
  const weights = values.map((_, i) => 1 / (i + 1) ** exponent);
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative = weights.map(((sum) => (w: number) => (sum += w / total))(0));
  return () => {
    const r = random();
    const index = cumulative.findIndex((edge) => r <= edge);
    return values[index < 0 ? values.length - 1 : index];
  };
}

const pick = <T>(values: readonly T[], random: () => number): T => values[Math.floor(random() * values.length)];
const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** The organization the history happens in: policies, targets, people and pipelines. */
export interface BenchOrganization {
  policies: string[];
  targets: string[];
  humans: string[];
  pipeline: string;
  approvers: string[];
}

export function benchOrganization(): BenchOrganization {
  return {
    policies: Array.from({ length: 25 }, (_, i) => `p-bench${pad(i, 5)}`),
    targets: ['r-ab12', ...Array.from({ length: 30 }, (_, i) => `ou-ab12-${pad(i, 8)}`), ...Array.from({ length: 400 }, (_, i) => `1${pad(i, 11)}`)],
    humans: Array.from({ length: 60 }, (_, i) => `arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_${pad(i, 4)}`),
    pipeline: 'arn:aws:iam::111122223333:role/OrgPipelineRole',
    approvers: ['U0APPROVE01', 'U0APPROVE02', 'U0APPROVE03', 'U0APPROVE04'],
  };
}

const DAY_MS = 86_400_000;

/**
 * `count` incidents spread over the `days` before `now`, as the handlers would have stored them
 * (claim, decision, close): most detachments come from the pipeline role and are ignored; the
 * protected ones are mostly reattached within seconds, some overridden, some failed.
 */
export function* generateIncidentItems(count: number, options: { seed: number; now: Date; days: number; org: BenchOrganization }): Generator<Record<string, unknown>> {
  const random = seededRandom(options.seed);
  const { org } = options;
  const policy = zipf(org.policies, random);
  const target = zipf(org.targets, random, 0.9);
  const human = zipf(org.humans, random);
  for (let i = 0; i < count; i++) {
    const detectedAt = new Date(options.now.getTime() - random() * options.days * DAY_MS).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const byPipeline = random() < 0.4;
    const principal = byPipeline ? org.pipeline : human();
    const roll = random();
    const verdict: Verdict = byPipeline ? 'IGNORED_ACTOR' : roll < 0.03 ? 'FAILED_CALL' : roll < 0.65 ? 'PROTECTED' : 'UNPROTECTED';
    const mode = verdict === 'PROTECTED' ? (random() < 0.7 ? 'auto' : 'approval') : undefined;
    const policyId = policy();
    const targetId = target();
    const incidentId = `${pad(Math.floor(random() * 1e8), 8)}-bench-${pad(i, 7)}`;
    const roleName = principal.split('/').pop() ?? 'role';
    const incident: Incident = {
      incidentId,
      verdict,
      reason: verdict === 'PROTECTED' ? `protect[0] protects ${policyId} wherever it is attached` : `${verdict} detachment`,
      detectedAt,
      eventTime: detectedAt,
      eventId: incidentId,
      region: 'us-east-1',
      policy: { id: policyId, name: `Guardrail${policyId.slice(-5)}`, type: 'SERVICE_CONTROL_POLICY' },
      target: { id: targetId, type: targetId.startsWith('r-') ? 'ROOT' : targetId.startsWith('ou-') ? 'ORGANIZATIONAL_UNIT' : 'ACCOUNT', name: `target-${targetId.slice(-4)}` },
      actor: {
        type: byPipeline ? 'AssumedRole' : 'IdentityCenter',
        arn: `arn:aws:sts::111122223333:assumed-role/${roleName}/session-${i % 977}`,
        sessionIssuerArn: principal,
        principalArn: principal,
        accountId: '111122223333',
        sourceIp: `198.51.100.${i % 250}`,
        userAgent: byPipeline ? 'aws-sdk-js/3.700.0 ua/2.1 os/linux lang/js md/nodejs#22.11.0 api/organizations#3.700.0' : 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
        console: !byPipeline,
        mfa: !byPipeline,
      },
      mode,
      rule: mode === undefined ? undefined : { index: 0, specificity: 'policy', mode, explanation: `protect[0] protects ${policyId} wherever it is attached` },
      notify: verdict === 'PROTECTED',
    };
    const record: IncidentRecord = { ...toIncidentRecord(incident, `arn:aws:states:us-east-1:111122223333:execution:scp-guardian:${incidentId}`), status: IncidentStatus.CLOSED };
    const detached = Date.parse(detectedAt);
    if (verdict !== 'PROTECTED') {
      record.outcome = Outcome.OBSERVED;
    } else {
      const decided = mode === 'auto' ? Decision.AUTO : pick([Decision.APPROVE, Decision.APPROVE, Decision.APPROVE, Decision.OVERRIDE, Decision.TIMEOUT], random);
      record.decision = decided;
      record.decidedBy = decided === Decision.AUTO ? 'scp-guardian' : decided === Decision.TIMEOUT ? 'scp-guardian (timeout)' : pick(org.approvers, random);
      if (decided === Decision.OVERRIDE) record.decisionReason = `change CHG-${pad(i % 10_000, 4)}`;
      const fate = random();
      if (decided === Decision.OVERRIDE) record.outcome = Outcome.OVERRIDDEN;
      else if (fate < 0.04) (record.outcome = Outcome.FAILED), (record.cause = 'Organizations.PolicyNotFoundException: the policy was deleted');
      else {
        record.outcome = fate < 0.09 ? Outcome.ALREADY_ATTACHED : Outcome.REATTACHED;
        const seconds = mode === 'auto' ? 2 + random() * 8 : 60 + random() * 900;
        record.reattachedAt = new Date(detached + seconds * 1000).toISOString();
        record.timeToRemediateSeconds = Math.round(seconds * 1000) / 1000;
      }
    }
    record.closedAt = new Date(detached + 20 * 60_000).toISOString();
    yield { ...incidentKey(incidentId), ...record };
  }
}

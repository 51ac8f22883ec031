import { DescribeAccountCommand, DescribeOrganizationalUnitCommand, DescribePolicyCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { completeClassification, preclassify, type Enrichment } from '../../../functions/classify/classify';
import { createClassifyHandler } from '../../../functions/classify/handler';
import type { Incident } from '../../../functions/shared/incident';
import { IdFormat, targetKindOf } from '../../../functions/shared/rules/id-formats';
import { findProtectionRule } from '../../../functions/shared/rules/match';
import { silentLog } from '../../../functions/shared/log';
import { PolicyType, Verdict } from '../../../functions/shared/vocabulary';
import { CLASSIFY_INPUT, classifyRules } from './classify-support';
import { fixtureEnvelope, fixtureNames } from './fixtures';
import { mutate, mutationArbitrary, truncatedText, type Json } from './mutations';

/** Cases per pure property: the issue asks for at least 10,000 per run. */
const PURE_RUNS = 10_000;
/** Cases through the handler (async, with a fake Organizations client). */
const HANDLER_RUNS = 1_000;

const rules = classifyRules();
const fixtures = fixtureNames().map((name) => fixtureEnvelope(name) as Json);
const figures = { jsonValues: 0, javascriptValues: 0, mutatedEvents: 0, throughHandler: 0, exceptions: 0 };

/** Runs `classify`, counting any exception before letting fast-check report and shrink it. */
function counted<T>(classify: () => T): T {
  try {
    return classify();
  } catch (error) {
    figures.exceptions++;
    throw error;
  }
}

const enrichmentArbitrary: fc.Arbitrary<Enrichment> = fc.record({
  policy: fc.option(
    fc.record({
      name: fc.option(fc.string(), { nil: undefined }),
      type: fc.option(fc.oneof(fc.constantFrom(...Object.values(PolicyType)), fc.string()), { nil: undefined }),
    }),
    { nil: undefined },
  ),
  target: fc.option(fc.record({ name: fc.option(fc.string(), { nil: undefined }) }), { nil: undefined }),
  errors: fc.array(fc.string(), { maxLength: 3 }),
});

function classifyPure(event: unknown, enrichment: Enrichment): Incident {
  const first = preclassify({ event, ...CLASSIFY_INPUT }, rules);
  return 'final' in first ? first.final : completeClassification(first.pending, enrichment, rules);
}

const VERDICTS: readonly string[] = Object.values(Verdict);

/**
 * What every incident must be, whatever came in. Plain checks rather than `expect`: jest's
 * matchers would cost more than the classification itself over tens of thousands of cases.
 */
function problemWith(incident: Incident): string | undefined {
  if (!VERDICTS.includes(incident.verdict)) return `unknown verdict ${String(incident.verdict)}`;
  if (typeof incident.incidentId !== 'string' || incident.incidentId.length === 0 || incident.incidentId.length > 128) return 'incidentId missing or over 128 characters';
  if (incident.reason.length === 0) return 'no reason';
  // Far below the 256 KB Step Functions payload, whatever the input's size.
  if (JSON.stringify(incident).length > 16_000) return 'incident over 16,000 characters';
  if (incident.verdict === Verdict.INVALID) return undefined;
  if (!IdFormat.eventId.pattern.test(incident.eventId ?? '')) return `${incident.verdict} without a CloudTrail event id`;
  if (Number.isNaN(Date.parse(incident.eventTime ?? ''))) return `${incident.verdict} without an event time`;
  if (incident.verdict === Verdict.FAILED_CALL) return undefined;
  if (!IdFormat.policy.pattern.test(incident.policy.id ?? '')) return `${incident.verdict} without a valid policy id`;
  if (targetKindOf(incident.target.id ?? '') !== incident.target.type) return `${incident.verdict} with a target type that does not match its id`;
  if (incident.verdict === Verdict.PROTECTED) {
    const rule = findProtectionRule(rules, incident.policy.id ?? '', incident.target.id ?? '');
    if (rule === undefined || incident.rule?.index !== rule.index || incident.mode !== rule.mode) return 'PROTECTED by a rule that does not cover the pair';
  }
  return undefined;
}

/** Throws (for fast-check to report and shrink) when the incident is not well formed. */
function assertWellFormed(incident: Incident): void {
  const problem = problemWith(incident);
  if (problem !== undefined) throw new Error(`${problem}: ${JSON.stringify(incident).slice(0, 2000)}`);
}

afterAll(() => {
  const total = figures.jsonValues + figures.javascriptValues + figures.mutatedEvents + figures.throughHandler;
  process.stderr.write(
    `classify fuzz: ${total} cases (${figures.jsonValues} JSON values, ${figures.javascriptValues} JavaScript values, ` +
      `${figures.mutatedEvents} mutated real events, ${figures.throughHandler} through the handler), exceptions: ${figures.exceptions}\n`,
  );
});

describe('classify never throws (property-based)', () => {
  it(`gives any JSON value a verdict, INVALID, in ${PURE_RUNS} cases`, () => {
    const property = fc.property(fc.jsonValue(), (event) => {
      figures.jsonValues++;
      const incident = counted(() => classifyPure(event, { errors: [] }));
      if (incident.verdict !== Verdict.INVALID) throw new Error(`junk classified ${incident.verdict}`);
      assertWellFormed(incident);
    });

    fc.assert(property, { numRuns: PURE_RUNS });

    expect([figures.jsonValues, figures.exceptions]).toEqual([PURE_RUNS, 0]);
  });

  it('gives any JavaScript value, cycles and BigInts included, a verdict', () => {
    const property = fc.property(fc.anything({ withNullPrototype: true, withBigInt: true, withMap: true, withSet: true, withDate: true }), (event) => {
      figures.javascriptValues++;
      const incident = counted(() => classifyPure(event, { errors: [] }));
      assertWellFormed(incident);
    });

    fc.assert(property, { numRuns: 2_000 });

    expect(figures.exceptions).toBe(0);
  });

  it(`gives every truncated or type-confused real event a verdict in ${PURE_RUNS} cases`, () => {
    const damaged = fc
      .record({
        fixture: fc.nat({ max: fixtures.length - 1 }),
        mutations: fc.array(mutationArbitrary, { minLength: 1, maxLength: 4 }),
        cutText: fc.option(fc.nat({ max: 6000 }), { nil: undefined, freq: 5 }),
      })
      .map(({ fixture, mutations, cutText }) => {
        const mutated = mutations.reduce<Json>((document, mutation) => mutate(document, mutation), fixtures[fixture]);
        return cutText === undefined ? mutated : truncatedText(mutated, cutText);
      });
    const property = fc.property(damaged, enrichmentArbitrary, (event, enrichment) => {
      figures.mutatedEvents++;
      const incident = counted(() => classifyPure(event, enrichment));
      assertWellFormed(incident);
    });

    fc.assert(property, { numRuns: PURE_RUNS });

    expect([figures.mutatedEvents, figures.exceptions]).toEqual([PURE_RUNS, 0]);
  });

  it(`classifies damaged events through the handler, whatever Organizations answers, in ${HANDLER_RUNS} cases`, async () => {
    const client = new OrganizationsClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const organizations = mockClient(client);
    const handler = createClassifyHandler({ rules, organizations: client, log: () => silentLog });
    // Organizations' answers, type confusion included: the SDK does not check JSON field types.
    const answer = fc.oneof(
      fc.record({ Policy: fc.record({ PolicySummary: fc.record({ Name: fc.jsonValue(), Type: fc.oneof(fc.constantFrom(...Object.values(PolicyType)), fc.jsonValue()) }) }) }),
      fc.jsonValue(),
      fc.constant(new Error('PolicyNotFoundException')),
    );
    const damaged = fc
      .tuple(fc.nat({ max: fixtures.length - 1 }), fc.array(mutationArbitrary, { maxLength: 3 }))
      .map(([fixture, mutations]) => mutations.reduce<Json>((document, mutation) => mutate(document, mutation), fixtures[fixture]));
    const property = fc.asyncProperty(damaged, answer, answer, async (event, policyAnswer, targetAnswer) => {
      figures.throughHandler++;
      organizations.reset();
      const reply = (value: unknown) => (value instanceof Error ? Promise.reject(value) : Promise.resolve(value));
      organizations.on(DescribePolicyCommand).callsFake(() => reply(policyAnswer));
      organizations.on(DescribeAccountCommand).callsFake(() => reply(targetAnswer));
      organizations.on(DescribeOrganizationalUnitCommand).callsFake(() => reply(targetAnswer));
      let incident: Incident;
      try {
        incident = (await handler({ event, ...CLASSIFY_INPUT })).incident;
      } catch (error) {
        figures.exceptions++;
        throw error;
      }
      assertWellFormed(incident);
    });

    await fc.assert(property, { numRuns: HANDLER_RUNS });

    expect([figures.throughHandler, figures.exceptions]).toEqual([HANDLER_RUNS, 0]);
  });
});

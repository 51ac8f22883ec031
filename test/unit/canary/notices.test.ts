import { CANARY_ATTRIBUTE } from '../../../functions/shared/canary';
import type { Closure, Incident } from '../../../functions/shared/incident';
import { closureMetricPoints } from '../../../functions/shared/incident-metrics';
import { MetricName } from '../../../functions/shared/metrics';
import { messageAttributes } from '../../../functions/shared/notifications/email';
import { Outcome, Source, Verdict } from '../../../functions/shared/vocabulary';

const incident = (source: Incident['source']): Incident => ({
  incidentId: 'c4a1e7d0-2b3c-4d5e-9f60-71829304a5b1',
  kind: 'DETACHED',
  source,
  verdict: Verdict.PROTECTED,
  reason: 'the daily canary',
  detectedAt: '2026-11-21T06:30:01Z',
  policy: { id: 'p-canary01', type: 'SERVICE_CONTROL_POLICY' },
  target: { id: 'ou-a1b2-canary01', type: 'ORGANIZATIONAL_UNIT' },
  actor: { type: 'AssumedRole', console: false },
  mode: 'auto',
  notify: true,
});
const closed = (outcome: Closure['outcome']): Closure => ({ outcome, closedAt: '2026-11-21T06:30:04Z', timeToRemediateSeconds: 3 });
const attribute = (values: ReturnType<typeof messageAttributes>, name: string) => values[name]?.StringValue;

describe('canary notices', () => {
  it('marks the canary opening notice and the closing notice of a canary that came back, so email drops them', () => {
    const opened = messageAttributes({ phase: 'opened', incident: incident(Source.CANARY) });
    const back = messageAttributes({ phase: 'closed', incident: incident(Source.CANARY), closure: closed(Outcome.REATTACHED) });
    const already = messageAttributes({ phase: 'closed', incident: incident(Source.CANARY), closure: closed(Outcome.ALREADY_ATTACHED) });

    expect([attribute(opened, CANARY_ATTRIBUTE), attribute(back, CANARY_ATTRIBUTE), attribute(already, CANARY_ATTRIBUTE)]).toEqual(['true', 'true', 'true']);
  });

  it('leaves unmarked, and critical, the closing notice of a canary that did not come back', () => {
    const failed = messageAttributes({ phase: 'closed', incident: incident(Source.CANARY), closure: closed(Outcome.FAILED) });

    expect(attribute(failed, CANARY_ATTRIBUTE)).toBeUndefined();
    expect(attribute(failed, 'severity')).toBe('critical');
  });

  it('never marks a detachment of the canary pair by anyone else', () => {
    const opened = messageAttributes({ phase: 'opened', incident: incident(Source.EVENT) });

    expect(attribute(opened, CANARY_ATTRIBUTE)).toBeUndefined();
  });

  it('stays within the ten attributes SNS allows', () => {
    const back = messageAttributes({ phase: 'closed', incident: { ...incident(Source.CANARY), policy: { id: 'p-canary01' } }, closure: { ...closed(Outcome.REATTACHED), decision: 'AUTO' } });

    expect(Object.keys(back).length).toBeLessThanOrEqual(10);
  });
});

describe('canary metrics', () => {
  it('counts a canary that came back as CanaryPassed, and not as an incident', () => {
    const points = closureMetricPoints(incident(Source.CANARY), closed(Outcome.REATTACHED));

    expect(points).toEqual([{ name: MetricName.CANARY_PASSED, unit: 'Count', value: 1, dimensions: {} }]);
  });

  it('counts an already-attached canary as passed too (ListPoliciesForTarget confirmed it)', () => {
    expect(closureMetricPoints(incident(Source.CANARY), closed(Outcome.ALREADY_ATTACHED)).map((p) => p.name)).toEqual([MetricName.CANARY_PASSED]);
  });

  it('emits no CanaryPassed for a canary that failed, nor for anyone else detaching the pair', () => {
    const failed = closureMetricPoints(incident(Source.CANARY), closed(Outcome.FAILED));
    const someoneElse = closureMetricPoints(incident(Source.EVENT), closed(Outcome.REATTACHED));

    expect(failed).toEqual([]);
    expect(someoneElse.map((p) => p.name)).not.toContain(MetricName.CANARY_PASSED);
    expect(someoneElse.map((p) => p.name)).toContain(MetricName.INCIDENTS);
  });
});

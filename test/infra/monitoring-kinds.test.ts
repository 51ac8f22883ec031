import type { Template } from 'aws-cdk-lib/assertions';
import { closureMetricPoints } from '../../functions/shared/incident-metrics';
import { GRAPHED_KINDS, MetricDimension, MetricName } from '../../functions/shared/metrics';
import { Kind } from '../../functions/shared/vocabulary';
import { accountMoved, movedBack, typeDisabled, typeRestored } from '../unit/notifications/kind-fixtures';
import { NO_BUNDLING, synthesize } from './support';

describe('metrics by kind', () => {
  it('counts a closed incident under its kind, beside its verdict and outcome', () => {
    const points = closureMetricPoints(accountMoved, movedBack);

    expect(points).toContainEqual({ name: MetricName.INCIDENTS, unit: 'Count', value: 1, dimensions: { [MetricDimension.KIND]: Kind.ACCOUNT_MOVED } });
    expect(points).toContainEqual({ name: MetricName.INCIDENTS, unit: 'Count', value: 1, dimensions: { [MetricDimension.VERDICT]: 'PROTECTED' } });
  });

  it('counts the writes a restoration made, by kind', () => {
    const points = closureMetricPoints(typeDisabled, typeRestored);

    expect(points).toContainEqual({ name: MetricName.RESTORE_ACTIONS, unit: 'Count', value: 39, dimensions: { [MetricDimension.KIND]: Kind.POLICY_TYPE_DISABLED } });
  });

  it('adds no kind point for an incident of no known kind, nor a writes point without actions', () => {
    const points = closureMetricPoints({ ...accountMoved, kind: undefined }, { ...movedBack, actions: undefined });

    expect(points.filter((point) => MetricDimension.KIND in point.dimensions)).toEqual([]);
    expect(points.map((point) => point.name)).not.toContain(MetricName.RESTORE_ACTIONS);
  });
});

describe('dashboard by kind', () => {
  let template: Template;
  beforeAll(() => {
    ({ template } = synthesize(NO_BUNDLING));
  });
  const body = () => JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'));

  it('graphs incidents by kind, each kind in the words the notices use', () => {
    expect(body()).toContain('Incidents by kind');
    for (const kind of GRAPHED_KINDS) expect(body()).toContain(`\\"${MetricDimension.KIND}\\",\\"${kind}\\"`);
    expect(body()).toContain('account moved (ACCOUNT_MOVED)');
  });

  it('graphs the restoration writes by kind', () => {
    expect(body()).toContain('Restoration writes by kind');
    expect(body()).toContain(MetricName.RESTORE_ACTIONS);
  });
});

import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { canaryPassed } from './canary';
import type { Closure, Incident } from './incident';
import { MetricDimension, MetricName, METRICS_NAMESPACE, METRICS_SERVICE } from './metrics';
import { Outcome, Source } from './vocabulary';

/** One data point: a metric, its unit and value, and the dimensions beyond `service`. */
export interface MetricPoint {
  name: (typeof MetricName)[keyof typeof MetricName];
  unit: 'Count' | 'Seconds';
  value: number;
  dimensions: Record<string, string>;
  /** When the point counts, in epoch milliseconds; absent means now. */
  timestamp?: number;
}

/**
 * What closing an incident adds to the dashboard: one point per graph it appears in (incidents
 * by verdict, by outcome and by kind; time to remediate; overrides; a restoration's writes).
 */
export function closureMetricPoints(incident: Incident, closure: Closure): MetricPoint[] {
  // A self-test is not an incident: notify reports it once its closing notice went out.
  if (incident.selfTest === true) return [];
  // The daily canary is not an incident either: it counts only as passed, once it is back.
  if (incident.source === Source.CANARY) return canaryPassed(closure) ? [{ name: MetricName.CANARY_PASSED, unit: 'Count', value: 1, dimensions: {} }] : [];
  const points: MetricPoint[] = [
    { name: MetricName.INCIDENTS, unit: 'Count', value: 1, dimensions: { [MetricDimension.VERDICT]: incident.verdict } },
    { name: MetricName.OUTCOMES, unit: 'Count', value: 1, dimensions: { [MetricDimension.OUTCOME]: closure.outcome } },
  ];
  if (closure.timeToRemediateSeconds !== undefined) {
    points.push({ name: MetricName.TIME_TO_REMEDIATE, unit: 'Seconds', value: closure.timeToRemediateSeconds, dimensions: {} });
  }
  if (closure.outcome === Outcome.OVERRIDDEN) points.push({ name: MetricName.OVERRIDES, unit: 'Count', value: 1, dimensions: {} });
  if (incident.kind !== undefined) {
    points.push({ name: MetricName.INCIDENTS, unit: 'Count', value: 1, dimensions: { [MetricDimension.KIND]: incident.kind } });
    const done = (closure.actions ?? []).filter((action) => action.result === 'done').length;
    if (closure.actions !== undefined) points.push({ name: MetricName.RESTORE_ACTIONS, unit: 'Count', value: done, dimensions: { [MetricDimension.KIND]: incident.kind } });
  }
  return points;
}

/** Where metric points go: CloudWatch (embedded metric format) in Lambda, a list locally. */
export type MetricSink = (points: MetricPoint[]) => void;

/**
 * Embedded-metric-format lines through Powertools, one per dimension set, so the dashboard's
 * metrics (service + one dimension) match exactly what is emitted.
 */
export function cloudWatchMetricSink(): MetricSink {
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE });
  return (points) => {
    for (const point of points) {
      const single = metrics.singleMetric();
      if (point.timestamp !== undefined) single.setTimestamp(point.timestamp);
      for (const [name, value] of Object.entries(point.dimensions)) single.addDimension(name, value);
      single.addMetric(point.name, point.unit === 'Seconds' ? MetricUnit.Seconds : MetricUnit.Count, point.value);
    }
  };
}

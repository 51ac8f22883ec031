import { cloudWatchMetricSink, type MetricPoint, type MetricSink } from './incident-metrics';
import type { InvocationFlush } from './lambda-handler';

/**
 * A deployed function's metrics: `sink` keeps the points of the running invocation, and
 * lambdaHandler publishes them (embedded metric format, one line per point) when it ends.
 */
export interface InvocationMetrics extends InvocationFlush {
  readonly sink: MetricSink;
}

export function invocationMetrics(publish: () => MetricSink = cloudWatchMetricSink): InvocationMetrics {
  const points: MetricPoint[] = [];
  let cloudWatch: MetricSink | undefined;
  return {
    sink: (emitted) => void points.push(...emitted),
    flush: () => {
      if (points.length === 0) return;
      cloudWatch ??= publish();
      cloudWatch(points.splice(0));
    },
  };
}

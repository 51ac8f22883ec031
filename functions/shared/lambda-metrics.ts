import { cloudWatchMetricSink, type MetricSink } from './incident-metrics';
import { lambdaLog } from './log';

/**
 * A deployed function's metric sink: it publishes each point as it is recorded (embedded metric
 * format, one line per point), so an invocation that times out afterwards still counts it. The
 * publisher is made on the first point, not at import. A point that cannot be published is
 * logged and does not fail work already done: the alarms that watch for missing metrics say so.
 */
export function lambdaMetricSink(publish: () => MetricSink = cloudWatchMetricSink): MetricSink {
  let cloudWatch: MetricSink | undefined;
  return (points) => {
    if (points.length === 0) return;
    try {
      cloudWatch ??= publish();
      cloudWatch(points);
    } catch (error) {
      lambdaLog().error('could not publish the metrics', { error: (error as Error).message });
    }
  };
}

import { cloudWatchMetricSink } from '../../../functions/shared/incident-metrics';
import { MetricName, METRICS_NAMESPACE } from '../../../functions/shared/metrics';

interface EmfLine {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}

/** What CloudWatch receives must match, dimension for dimension, what the dashboard graphs. */
describe('CloudWatch metric sink', () => {
  let lines: string[];
  let restore: () => void;

  beforeEach(() => {
    lines = [];
    const original = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    restore = () => (process.stdout.write = original);
  });
  afterEach(() => restore());

  it('writes one embedded-metric-format line per point, with the service and the point’s own dimension', () => {
    const sink = cloudWatchMetricSink();

    sink([
      { name: MetricName.INCIDENTS, unit: 'Count', value: 1, dimensions: { Verdict: 'PROTECTED' } },
      { name: MetricName.TIME_TO_REMEDIATE, unit: 'Seconds', value: 2.5, dimensions: {} },
    ]);

    const emitted = lines.flatMap((line) => line.split('\n')).filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as EmfLine);
    expect(emitted).toHaveLength(2);
    expect(emitted[0]._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: METRICS_NAMESPACE, Dimensions: [['service', 'Verdict']], Metrics: [{ Name: 'Incidents', Unit: 'Count' }] });
    expect(emitted[0]).toMatchObject({ service: 'scp-guardian', Verdict: 'PROTECTED', Incidents: 1 });
    expect(emitted[1]._aws.CloudWatchMetrics[0]).toMatchObject({ Dimensions: [['service']], Metrics: [{ Name: 'TimeToRemediate', Unit: 'Seconds' }] });
  });
});

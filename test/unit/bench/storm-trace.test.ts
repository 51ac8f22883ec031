import { runGuardian } from '../../../bench/storm/guardian';
import { stormScenario } from '../../../bench/storm/scenario';
import { stormTimeline, type StormTrace } from '../../../bench/storm/trace';
import { dynamoDbEndpoint } from '../../support/local-harness';

jest.setTimeout(120_000);

describe('bench:storm --trace: a small storm, traced', () => {
  const n = 20;
  let trace: StormTrace | undefined;

  beforeAll(async () => {
    await runGuardian(stormScenario(n), {
      limits: { rate: 5, serviceErrorProbability: 0.05, seed: 3 },
      floorRate: 5,
      system: 'scp-guardian',
      dynamoDbEndpoint: dynamoDbEndpoint(),
      onTrace: (recorded) => (trace = recorded),
    });
  });

  it('records the AttachPolicy answer that restored each pair', () => {
    const restored = new Set(trace?.attempts.filter((attempt) => attempt.status === 200).map((attempt) => attempt.targetId));

    expect(restored.size).toBe(n);
  });

  it("records every execution's admission ticket and the schedule it was given", () => {
    expect(trace?.admission.filter((step) => step.phase === 'take').length).toBeGreaterThanOrEqual(n);
    expect(trace?.schedule.length).toBeGreaterThan(0);
  });

  it('prints the restored pairs by window, adding up to the storm', () => {
    const lines = stormTimeline(trace as StormTrace, 1).split('\n').slice(1);
    const restored = lines.reduce((sum, line) => sum + Number(line.trim().split(/\s+/)[1]), 0);

    expect(restored).toBe(n);
  });
});

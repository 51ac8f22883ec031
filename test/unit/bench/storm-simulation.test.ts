import { simulateStorm } from '../../../bench/storm/simulation';

// The simulation is deterministic for a seed: these are properties of the shipped curve under
// the model (bench/storm/simulation.ts), not timings of this machine.
describe('the admission in simulated time', () => {
  it('restores every pair of a 400-at-4/s storm, near one attempt each, no execution pausing its round', async () => {
    const figures = await simulateStorm({ n: 400, rate: 4, seed: 1 });

    expect(figures).toMatchObject({ restored: 400, roundPauses: 0 });
    expect(figures.attemptsPerRemediation).toBeLessThan(1.5);
    expect(figures.paceRatio).toBeLessThan(1.3);
  });

  it('restores everything with the expected rate twice too high, in both standard storms', async () => {
    for (const storm of [
      { n: 300, rate: 30, expectedRate: 60 },
      { n: 400, rate: 4, expectedRate: 8 },
    ]) {
      const figures = await simulateStorm({ ...storm, seed: 2 });

      expect(figures.restored).toBe(storm.n);
      expect(figures.attemptsPerRemediation).toBeLessThan(2);
    }
  });

  it('restores a 400-at-4/s storm sooner than the previous curve did (cuts to 70 % that compound, no overload waited out)', async () => {
    const previous = { decrease: 0.7, probingDecrease: 0.7, settleTickets: 0, maxSettleMs: 0 };
    for (const seed of [1, 2, 3]) {
      const shipped = await simulateStorm({ n: 400, rate: 4, seed });
      const compounding = await simulateStorm({ n: 400, rate: 4, seed, curve: previous });

      expect(compounding.restored).toBe(400);
      expect(shipped.lastRestoredSeconds).toBeLessThan(compounding.lastRestoredSeconds);
    }
  });
});

import { closureOf } from '../../../functions/shared/closure';
import { humanDuration, remediationTime } from '../../../functions/shared/duration';
import { protectedIncident } from '../slack/incident-fixture';

/** A sample event from eleven days before the replay, as `npm start` replays it. */
const EVENT_TIME = '2026-11-20T10:02:02Z';
const APPLIED = '2026-12-01T17:40:21.000Z';
const REATTACHED = '2026-12-01T17:40:21.400Z';

describe('time to remediate', () => {
  it('counts a replay from when the replay applied the change, not from the event\'s own time', () => {
    const replayed = protectedIncident({ detectedAt: EVENT_TIME, eventTime: EVENT_TIME, replayAppliedAt: APPLIED });

    const closure = closureOf(replayed, { outcome: 'REATTACHED', detail: { reattachedAt: REATTACHED } }, undefined, REATTACHED);

    expect(closure.timeToRemediateSeconds).toBeCloseTo(0.4, 3);
  });

  it('counts a real event from its detection (the CloudTrail eventTime), as deployed', () => {
    const real = protectedIncident({ detectedAt: '2026-12-01T17:40:19.000Z', eventTime: '2026-12-01T17:40:19.000Z' });

    const closure = closureOf(real, { outcome: 'RESTORED', detail: { restoredAt: REATTACHED } }, undefined, REATTACHED);

    expect(closure.timeToRemediateSeconds).toBeCloseTo(2.4, 3);
  });

  it('reads the same on every surface: one format, with the replay said when it is one', () => {
    expect([humanDuration(0.34), humanDuration(95), humanDuration(905), humanDuration(940_611.579)]).toEqual(['0.3 s', '95.0 s', '15 min', '11 d']);
    expect(remediationTime(0.34, { replayAppliedAt: APPLIED })).toBe('0.3 s (from when the replay applied it)');
    expect(remediationTime(0.34, {})).toBe('0.3 s');
  });
});

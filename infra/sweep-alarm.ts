/**
 * How the SweepMissing alarm (infra/constructs/sweep.ts) is defined, without a CDK import so that
 * `scp-guardian doctor` (cli/doctor/rules-and-schedules.ts) requires the deployed alarm to be
 * defined so: an alarm that treats missing data as not breaching, or waits longer, is OK while no
 * sweep runs. The values are CloudWatch's own spellings (the CDK's enums are these strings).
 */
export const SWEEP_MISSING_ALARM = {
  /** Intervals without a completed sweep that raise it (each one datapoint). */
  evaluationPeriods: 3,
  datapointsToAlarm: 3,
  threshold: 1,
  comparisonOperator: 'LessThanThreshold',
  /** No SweepCompleted at all is what it is there to see. */
  treatMissingData: 'breaching',
  statistic: 'Sum',
} as const;

/** The alarm's period: one sweep interval. */
export const sweepMissingPeriodSeconds = (everyMinutes: number): number => everyMinutes * 60;

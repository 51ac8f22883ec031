import {
  DEFAULT_OVERRIDE_BOUNDS,
  describeOverrideDuration,
  formatOverrideDuration,
  MIN_OVERRIDE_MINUTES,
  overrideDurationProblem,
  overrideEnd,
  parseOverrideDuration,
} from '../../../functions/shared/decisions/override-duration';
import { parseProtectionRules } from '../../../config/load';

describe('override durations', () => {
  it.each([
    ['30m', 30],
    ['4h', 240],
    ['2d', 2880],
    ['90M', 90],
    [' 8h ', 480],
  ])('reads %j as %i minutes', (text, minutes) => {
    expect(parseOverrideDuration(text)).toBe(minutes);
  });

  it.each(['4', '1.5h', '4 hours', '-2h', '2w', '', 'h'])('does not read %j as a duration', (text) => {
    expect(parseOverrideDuration(text)).toBeUndefined();
  });

  it.each([
    [30, '30m', '30 minutes'],
    [90, '90m', '90 minutes'],
    [60, '1h', '1 hour'],
    [36 * 60, '36h', '36 hours'],
    [24 * 60, '1d', '1 day'],
    [7 * 24 * 60, '7d', '7 days'],
  ])('spells %i minutes %j, and %j for people', (minutes, spelled, words) => {
    expect(formatOverrideDuration(minutes)).toBe(spelled);
    expect(describeOverrideDuration(minutes)).toBe(words);
  });

  it('accepts durations from the shortest to overrides.maxHours', () => {
    const bounds = { defaultHours: 4, maxHours: 24 };

    expect([MIN_OVERRIDE_MINUTES, 240, 24 * 60].map((minutes) => overrideDurationProblem(minutes, bounds))).toEqual([undefined, undefined, undefined]);
  });

  it('refuses a duration over overrides.maxHours, naming the limit and the value', () => {
    expect(overrideDurationProblem(2 * 24 * 60, { defaultHours: 4, maxHours: 24 })).toBe("an override lasts at most 1d (the rules' overrides.maxHours is 24): 2d is longer");
  });

  it('refuses a duration shorter than the shortest override', () => {
    expect(overrideDurationProblem(5, DEFAULT_OVERRIDE_BOUNDS)).toBe('an override lasts at least 15m: 5m is shorter');
  });

  it('refuses a fraction of a minute', () => {
    expect(overrideDurationProblem(90.5, DEFAULT_OVERRIDE_BOUNDS)).toBe('an override lasts a whole number of minutes, not 90.5');
  });

  it('ends an override its duration after it was taken', () => {
    expect(overrideEnd('2026-05-01T10:00:00.000Z', 90)).toBe('2026-05-01T11:30:00.000Z');
  });

  it('keeps the same defaults as the rules file', () => {
    expect(parseProtectionRules({ protect: [] }).overrides).toEqual(DEFAULT_OVERRIDE_BOUNDS);
  });
});

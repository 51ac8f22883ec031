import { parseTime, parseWindow } from '../../../cli/audit/time';
import { AuditUsageError } from '../../../cli/audit/usage-error';

const NOW = new Date('2026-11-23T12:00:00Z');

describe('audit --since / --until', () => {
  it.each([
    ['30m', '2026-11-23T11:30:00.000Z'],
    ['24h', '2026-11-22T12:00:00.000Z'],
    ['7d', '2026-11-16T12:00:00.000Z'],
    ['2w', '2026-11-09T12:00:00.000Z'],
  ])('reads the age %s as that long before now', (text, expected) => {
    expect(parseTime(text, '--since', NOW).toISOString()).toBe(expected);
  });

  it.each([
    ['2026-11-20', '2026-11-20T00:00:00.000Z'],
    ['2026-11-20T09:30:00Z', '2026-11-20T09:30:00.000Z'],
    ['2026-11-20T09:30', '2026-11-20T09:30:00.000Z'],
    ['2026-11-20T10:30:00+01:00', '2026-11-20T09:30:00.000Z'],
    ['2026-11-20 09:30:00.5Z', '2026-11-20T09:30:00.500Z'],
  ])('reads the ISO time %s, as UTC when it has no offset', (text, expected) => {
    expect(parseTime(text, '--since', NOW).toISOString()).toBe(expected);
  });

  it('reads a date alone given to --until as the end of that day', () => {
    expect(parseWindow(undefined, '2026-11-20', NOW).until?.toISOString()).toBe('2026-11-20T23:59:59.000Z');
  });

  it.each(['yesterday', '7 days', '2026-02-30', '2026-13-01', '2026-11-20T25:00:00Z', '-7d', ''])('refuses %j with one line saying what a time looks like', (text) => {
    const parse = () => parseTime(text, '--since', NOW);

    expect(parse).toThrow(AuditUsageError);
    expect(parse).toThrow(/^--since ".*" is not (a|a real date or) time: use an ISO 8601 time .* or an age \(30m, 24h, 7d, 2w\)$/);
  });

  it('refuses a window that ends before it starts', () => {
    expect(() => parseWindow('2026-11-20', '2026-11-01', NOW)).toThrow('--since (2026-11-20T00:00:00.000Z) is after --until (2026-11-01T23:59:59.000Z)');
  });
});

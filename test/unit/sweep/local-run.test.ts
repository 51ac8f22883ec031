import { join } from 'node:path';
import { loadProtectionRules } from '../../../config/load';
import { readEventFile } from '../../../local/event-files';
import { stderrLog } from '../../../local/local-log';
import { loadOrganizationFile } from '../../../local/stand-ins/organizations/organization-file';
import { toJsonDocument } from '../../../local/report';
import { runLocal, type LocalRunReport } from '../../../local/runner';
import { dynamoDbEndpoint, FAST_RETRIES } from '../../support/local-harness';
import { PROJECT_ROOT } from '../../../cli/project-root';

const SAMPLES = join(PROJECT_ROOT, 'samples');

describe('local runs sweep: first, and with --sweep after the replays', () => {
  let report: LocalRunReport;

  beforeAll(async () => {
    report = await runLocal({
      rules: loadProtectionRules(join(SAMPLES, 'protection-rules.json')),
      organization: loadOrganizationFile(join(SAMPLES, 'organization.json')),
      events: readEventFile(join(SAMPLES, 'events', '01-protected-auto-root.json')),
      decision: 'approve',
      approvalTimeoutSeconds: 5,
      sweep: true,
      dynamoDbEndpoint: dynamoDbEndpoint(),
      retryIntervalOverrides: FAST_RETRIES,
      log: stderrLog('silent'),
    });
  });

  it('sweeps before the first event, so the desired state knows what the organization file has attached', () => {
    const [initial] = report.sweeps;

    // The sample rules' pairs the sample organization has attached, p-allowlist1 on Regulated among them.
    expect(initial.desiredPairs).toBe(6);
    expect(initial.drift).toEqual([]);
    expect(initial.changes.filter((change) => change.type === 'pair')).toHaveLength(6);
  });

  it('sweeps again after the replays and finds nothing left to restore', () => {
    const [, last] = report.sweeps;

    expect(report.sweeps).toHaveLength(2);
    expect(last.drift).toEqual([]);
    expect(report.incidents.map((incident) => incident.outcome)).toEqual(['REATTACHED']);
  });

  it('puts the sweeps in the --json document', () => {
    const document = toJsonDocument(report) as { sweeps: { drift: unknown[]; incidents: string[]; desiredPairs: number }[] };

    expect(document.sweeps.map((sweep) => [sweep.drift.length, sweep.incidents.length, sweep.desiredPairs])).toEqual([
      [0, 0, 6],
      [0, 0, 6],
    ]);
  });
});

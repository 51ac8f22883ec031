import { AuditQueries } from '../../../cli/audit/queries';
import { SELF_TEST_POLICY_ID } from '../../../functions/shared/self-test';
import { freshTable, incident } from '../../support/audit-incidents';

/** The daily self-test is recorded like any incident, and kept out of the answers people ask for. */
describe('self-test incidents in audit queries', () => {
  const since = new Date('2026-11-01T00:00:00Z');
  const now = new Date('2026-11-23T00:00:00Z');
  let queries: AuditQueries;
  let realId: string;
  let selfTestId: string;

  beforeAll(async () => {
    const table = await freshTable();
    queries = new AuditQueries(table.db, table.tableName);
    const real = incident({ detectedAt: '2026-11-20T10:00:00Z' });
    const selfTest = { ...incident({ detectedAt: '2026-11-20T06:00:00Z', policyId: SELF_TEST_POLICY_ID }), selfTest: true, verdict: 'UNPROTECTED' as const };
    await table.audit.claimIncident(real, 'arn:aws:states:us-east-1:111122223333:execution:scp-guardian:real');
    await table.audit.claimIncident(selfTest, 'arn:aws:states:us-east-1:111122223333:execution:scp-guardian:self-test');
    realId = real.incidentId;
    selfTestId = selfTest.incidentId;
  });

  it('leaves the self-test out of a listing by default', async () => {
    const page = await queries.list({ since }, { limit: 10, now });

    expect(page.incidents.map((i) => i.incidentId)).toEqual([realId]);
  });

  it('lists it when asked to', async () => {
    const page = await queries.list({ since, includeSelfTests: true }, { limit: 10, now });

    expect(page.incidents.map((i) => i.incidentId).sort()).toEqual([realId, selfTestId].sort());
  });

  it('leaves it out of a policy query too', async () => {
    const page = await queries.list({ policyId: SELF_TEST_POLICY_ID, since }, { limit: 10, now });

    expect(page.incidents).toEqual([]);
  });
});

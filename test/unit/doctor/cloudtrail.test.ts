import { CloudTrailClient, DescribeTrailsCommand, GetEventSelectorsCommand, GetTrailStatusCommand, type Trail } from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { cloudTrailChecks } from '../../../cli/doctor/cloudtrail';

const cloudTrail = mockClient(CloudTrailClient);
const client = new CloudTrailClient({ region: 'us-east-1' });

const ORG_TRAIL: Trail = {
  Name: 'org-trail',
  TrailARN: 'arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail',
  HomeRegion: 'us-east-1',
  IsMultiRegionTrail: true,
  IsOrganizationTrail: true,
  IncludeGlobalServiceEvents: true,
};
const EU_TRAIL: Trail = {
  Name: 'eu-trail',
  TrailARN: 'arn:aws:cloudtrail:eu-west-1:111111111111:trail/eu-trail',
  HomeRegion: 'eu-west-1',
  IsMultiRegionTrail: false,
  IncludeGlobalServiceEvents: true,
};

function denied(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
}

beforeEach(() => {
  cloudTrail.reset();
  cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [ORG_TRAIL] });
  cloudTrail.on(GetEventSelectorsCommand).resolves({ EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] });
  cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: true });
});

describe('doctor: CloudTrail', () => {
  it('passes a multi-region organization trail that logs management events and is logging', async () => {
    const [check] = await cloudTrailChecks(client);

    expect(check).toMatchObject({ status: 'ok', detail: 'org-trail (organization trail, multi-region) logs management events and is logging' });
  });

  it('fails when there is no trail at all', async () => {
    cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [] });

    const [check] = await cloudTrailChecks(client);

    expect(check).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^no trail/), fix: expect.stringContaining('--is-multi-region-trail') });
  });

  it('fails a single-region trail in another region, which never sees us-east-1', async () => {
    cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [EU_TRAIL] });

    const [check] = await cloudTrailChecks(client);

    expect(check).toMatchObject({ status: 'fail', detail: 'no trail logs us-east-1: eu-trail (eu-west-1 only)', fix: expect.stringContaining('update-trail --region eu-west-1 --name eu-trail --is-multi-region-trail') });
  });

  it('passes a single-region trail in us-east-1', async () => {
    cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [EU_TRAIL, { ...EU_TRAIL, Name: 'home', TrailARN: 'arn:aws:cloudtrail:us-east-1:111111111111:trail/home', HomeRegion: 'us-east-1' }] });

    const [check] = await cloudTrailChecks(client);

    expect(check).toMatchObject({ status: 'ok', detail: expect.stringContaining('home (in us-east-1)') });
  });

  it('fails a trail that is not logging, with the command that starts it', async () => {
    cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: false });

    const [check] = await cloudTrailChecks(client);

    expect(check).toMatchObject({ status: 'fail', detail: 'org-trail is not logging', fix: `aws cloudtrail start-logging --region us-east-1 --name ${ORG_TRAIL.TrailARN}` });
  });

  it('fails a trail whose selectors log read-only events alone', async () => {
    cloudTrail.on(GetEventSelectorsCommand).resolves({ EventSelectors: [{ ReadWriteType: 'ReadOnly', IncludeManagementEvents: true }] });

    const [check] = await cloudTrailChecks(client);

    expect(check).toMatchObject({ status: 'fail', detail: expect.stringContaining('does not log management write events') });
  });

  it('fails advanced selectors that leave Organizations out, and passes those that keep it', async () => {
    const management = { Field: 'eventCategory', Equals: ['Management'] };
    cloudTrail.on(GetEventSelectorsCommand).resolves({ AdvancedEventSelectors: [{ FieldSelectors: [management, { Field: 'eventSource', NotEquals: ['organizations.amazonaws.com'] }] }] });
    const [without] = await cloudTrailChecks(client);
    cloudTrail.on(GetEventSelectorsCommand).resolves({ AdvancedEventSelectors: [{ FieldSelectors: [management, { Field: 'readOnly', Equals: ['false'] }] }] });

    const [withWrites] = await cloudTrailChecks(client);

    expect(without.status).toBe('fail');
    expect(withWrites.status).toBe('ok');
  });

  it('fails a us-east-1 trail that leaves out global service events', async () => {
    cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [{ ...ORG_TRAIL, IsMultiRegionTrail: false, IncludeGlobalServiceEvents: false }] });

    const [check] = await cloudTrailChecks(client);

    expect(check).toMatchObject({ status: 'fail', fix: 'aws cloudtrail update-trail --region us-east-1 --name org-trail --include-global-service-events' });
  });

  it('names cloudtrail:DescribeTrails when it is denied', async () => {
    cloudTrail.on(DescribeTrailsCommand).rejects(denied('AccessDeniedException', 'User: arn:aws:iam::111111111111:user/doc is not authorized to perform: cloudtrail:DescribeTrails'));

    const [check] = await cloudTrailChecks(client);

    expect(check).toMatchObject({ status: 'fail', detail: 'access denied: the caller lacks cloudtrail:DescribeTrails' });
  });

  it('names cloudtrail:GetTrailStatus when only that is denied (and the message names nothing)', async () => {
    cloudTrail.on(GetTrailStatusCommand).rejects(denied('AccessDeniedException', 'Access denied.'));

    const [check] = await cloudTrailChecks(client);

    expect(check.detail).toBe('access denied: the caller lacks cloudtrail:GetTrailStatus');
  });
  it('sends the fix to the trail\'s home region when a multi-region trail lives elsewhere', async () => {
    const shadow: Trail = { ...EU_TRAIL, IsMultiRegionTrail: true };
    cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [shadow] });
    cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: false });

    const [check] = await cloudTrailChecks(client);

    expect(check).toMatchObject({ status: 'fail', fix: `aws cloudtrail start-logging --region eu-west-1 --name ${EU_TRAIL.TrailARN}` });
  });

  it('passes when a trail that cannot be read is followed by one that does the job', async () => {
    const other: Trail = { ...ORG_TRAIL, Name: 'other-trail', TrailARN: 'arn:aws:cloudtrail:us-east-1:999999999999:trail/other-trail' };
    cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [other, ORG_TRAIL] });
    cloudTrail.on(GetEventSelectorsCommand, { TrailName: other.TrailARN }).rejects(denied('AccessDeniedException', 'denied'));

    const checks = await cloudTrailChecks(client);

    expect(checks).toEqual([expect.objectContaining({ status: 'ok', detail: 'org-trail (organization trail, multi-region) logs management events and is logging' })]);
  });

  it('reports both a trail that does not do the job and one that cannot be read', async () => {
    const other: Trail = { ...ORG_TRAIL, Name: 'other-trail', TrailARN: 'arn:aws:cloudtrail:us-east-1:999999999999:trail/other-trail' };
    cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [other, ORG_TRAIL] });
    cloudTrail.on(GetEventSelectorsCommand, { TrailName: other.TrailARN }).rejects(denied('AccessDeniedException', 'denied'));
    cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: false });

    const checks = await cloudTrailChecks(client);

    expect(checks.map(({ status, detail }) => [status, detail])).toEqual([
      ['fail', 'org-trail is not logging'],
      ['fail', 'access denied: the caller lacks cloudtrail:GetEventSelectors'],
    ]);
  });
});

import {
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  type AdvancedEventSelector,
  type CloudTrailClient,
  type EventSelector,
  type Trail,
} from '@aws-sdk/client-cloudtrail';
import { STACK_REGION as HOME_REGION } from '../decide/aws';
import { callFailed, FailedCall, Permission } from './aws-calls';
import { CheckGroup, checksOf, type Check } from './check';

const check = checksOf(CheckGroup.CLOUDTRAIL);

export const NAME = 'a trail logs management events';

/** The event source of every Organizations call (the intake rule's `eventSource`). */
const ORGANIZATIONS_SOURCE = 'organizations.amazonaws.com';

/** Where doctor reads CloudTrail, whatever `--region` says: where Organizations' calls are recorded. */
export const CLOUDTRAIL_REGION = HOME_REGION;

/** Whether a trail's records reach us-east-1, where Organizations (a global service) records its calls. */
const seenInHomeRegion = (trail: Trail) => trail.IsMultiRegionTrail === true || trail.HomeRegion === HOME_REGION;

/** Basic selectors: management events, not read-only ones alone. */
const basicLogsWrites = (selector: EventSelector) => selector.IncludeManagementEvents !== false && (selector.ReadWriteType ?? 'All') !== 'ReadOnly';

/** Advanced selectors: eventCategory Management, not readOnly true alone, Organizations not filtered out. */
function advancedLogsOrganizationsWrites(selector: AdvancedEventSelector): boolean {
  const field = (name: string) => selector.FieldSelectors?.find((entry) => entry.Field === name);
  if (field('eventCategory')?.Equals?.includes('Management') !== true) return false;
  const readOnly = field('readOnly')?.Equals;
  if (readOnly !== undefined && !readOnly.includes('false')) return false;
  const source = field('eventSource');
  if (source?.NotEquals?.includes(ORGANIZATIONS_SOURCE) === true) return false;
  return source?.Equals === undefined || source.Equals.includes(ORGANIZATIONS_SOURCE);
}

/** Why a trail does not do the job, or undefined when it does. */
interface TrailFinding {
  trail: Trail;
  problem?: { detail: string; fix: string };
}

async function examine(cloudTrail: CloudTrailClient, trail: Trail): Promise<TrailFinding> {
  const name = trail.Name ?? trail.TrailARN ?? '(unnamed)';
  const id = trail.TrailARN ?? trail.Name;
  // A trail is changed in its home region: StartLogging and UpdateTrail elsewhere fail.
  const region = `--region ${trail.HomeRegion ?? HOME_REGION}`;
  if (trail.IncludeGlobalServiceEvents === false) {
    return { trail, problem: { detail: `${name} leaves out global service events, Organizations' among them`, fix: `aws cloudtrail update-trail ${region} --name ${name} --include-global-service-events` } };
  }
  const selectors = await FailedCall.of(Permission.GET_EVENT_SELECTORS, cloudTrail.send(new GetEventSelectorsCommand({ TrailName: id })));
  const logsWrites =
    selectors.AdvancedEventSelectors !== undefined && selectors.AdvancedEventSelectors.length > 0
      ? selectors.AdvancedEventSelectors.some(advancedLogsOrganizationsWrites)
      : (selectors.EventSelectors ?? [{}]).some(basicLogsWrites);
  if (!logsWrites) {
    return { trail, problem: { detail: `${name} does not log management write events from ${ORGANIZATIONS_SOURCE}`, fix: `log management events (read and write, or write only) in ${name}'s event selectors` } };
  }
  const status = await FailedCall.of(Permission.GET_TRAIL_STATUS, cloudTrail.send(new GetTrailStatusCommand({ Name: id })));
  if (status.IsLogging !== true) return { trail, problem: { detail: `${name} is not logging`, fix: `aws cloudtrail start-logging ${region} --name ${id}` } };
  return { trail };
}

const scope = (trail: Trail) =>
  [trail.IsOrganizationTrail === true ? 'organization trail' : undefined, trail.IsMultiRegionTrail === true ? 'multi-region' : `in ${trail.HomeRegion ?? '(unknown region)'}`].filter(Boolean).join(', ');

/**
 * EventBridge sees Organizations' calls only while a trail logs management events where us-east-1
 * sees them: a multi-region trail (an organization trail counts), or one in us-east-1 with global
 * service events, that logs write events and is logging (DescribeTrails with shadow trails,
 * GetEventSelectors, GetTrailStatus, asked in us-east-1).
 */
export async function cloudTrailChecks(cloudTrail: CloudTrailClient): Promise<Check[]> {
  let trails: Trail[];
  try {
    trails = (await cloudTrail.send(new DescribeTrailsCommand({ includeShadowTrails: true }))).trailList ?? [];
  } catch (error) {
    return [callFailed(check, NAME, error, Permission.DESCRIBE_TRAILS)];
  }
  const candidates = trails.filter(seenInHomeRegion);
  if (candidates.length === 0) {
    const elsewhere = trails.map((trail) => `${trail.Name} (${trail.HomeRegion} only)`).join(', ');
    return [
      check.fail(
        NAME,
        trails.length === 0 ? 'no trail: EventBridge gets no Organizations event, and only the sweep notices changes' : `no trail logs ${HOME_REGION}: ${elsewhere}`,
        trails.length === 0
          ? `create a multi-region trail (an organization trail counts): aws cloudtrail create-trail --name org-trail --s3-bucket-name BUCKET --is-multi-region-trail, then start-logging`
          : `make one multi-region (aws cloudtrail update-trail --region ${trails[0].HomeRegion} --name ${trails[0].Name} --is-multi-region-trail), or create one in ${HOME_REGION}`,
      ),
    ];
  }
  const findings: TrailFinding[] = [];
  const failures: FailedCall[] = [];
  // One trail that does the job is enough: a trail that cannot be read does not stop the others being tried.
  for (const trail of candidates) {
    let finding: TrailFinding;
    try {
      finding = await examine(cloudTrail, trail);
    } catch (error) {
      if (!(error instanceof FailedCall)) throw error;
      failures.push(error);
      continue;
    }
    if (finding.problem === undefined) return [check.ok(NAME, `${finding.trail.Name} (${scope(finding.trail)}) logs management events and is logging`)];
    findings.push(finding);
  }
  const lines: Check[] = [];
  if (findings.length > 0) {
    const [first] = findings;
    const others = findings.length > 1 ? `; ${findings.slice(1).map((f) => f.problem?.detail).join('; ')}` : '';
    lines.push(check.fail(NAME, `${first.problem?.detail}${others}`, first.problem?.fix ?? ''));
  }
  if (failures.length > 0) lines.push(callFailed(check, NAME, failures[0].cause, failures[0].permission));
  return lines;
}

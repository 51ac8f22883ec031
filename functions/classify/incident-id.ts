import { detailOf, isObject, stringAt } from '../shared/cloudtrail';
import { isEventId } from '../shared/rules/id-formats';

/**
 * The incident id of the execution that handles `envelope` (contract: docs/contracts.md, "Incident id"):
 * the CloudTrail `detail.eventID` when it is a well-formed event id; else the EventBridge `id`
 * when it is one (so redeliveries of one unreadable event still meet); else `invalid-` and the
 * execution's name. Classify names every incident so, and `local --serve` answers POST /events
 * with it before the execution has even started.
 *
 * @param executionId the execution's ARN (`$$.Execution.Id`) or name
 */
export function incidentIdOf(envelope: unknown, executionId: string): string {
  const eventId = stringAt(detailOf(envelope), 'eventID');
  if (eventId !== undefined && isEventId(eventId)) return eventId;
  const envelopeId = isObject(envelope) ? stringAt(envelope, 'id') : undefined;
  if (envelopeId !== undefined && isEventId(envelopeId)) return envelopeId;
  const executionName = executionId.split(':').pop() || executionId;
  return `invalid-${executionName.slice(0, 80)}`;
}

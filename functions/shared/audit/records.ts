import type { Incident } from '../incident';
import type { Decision, IncidentStatus, Outcome, TimelineStep } from '../vocabulary';

/** The incident item as stored: flat attributes for the indexes, the full incident beside them. */
export interface IncidentRecord {
  incidentId: string;
  status: IncidentStatus;
  verdict: Incident['verdict'];
  reason: string;
  mode?: Incident['mode'];
  detectedAt: string;
  policyId?: string;
  targetId?: string;
  actorArn?: string;
  executionArn?: string;
  incident: Incident;
  decisionId?: string;
  decisionDeadline?: string;
  decision?: Decision;
  decidedBy?: string;
  decisionReason?: string;
  decidedAt?: string;
  outcome?: Outcome;
  cause?: string;
  reattachedAt?: string;
  closedAt?: string;
  /** Seconds from the detach to the reattachment, for REATTACHED and ALREADY_ATTACHED. */
  timeToRemediateSeconds?: number;
  /** Where the incident's Slack message is, to update it as the incident moves on. */
  slackMessage?: { channel: string; ts: string };
}

/** One step of an incident's timeline. */
export interface TimelineEntry {
  incidentId: string;
  at: string;
  step: TimelineStep;
  detail: Record<string, unknown>;
}

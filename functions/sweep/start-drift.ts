import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { driftEnvelope, type DriftDetail } from '../shared/drift';
import type { ApiCalls } from './calls';
import { DriftStatus } from './result';

/** Step Functions execution names: 1 to 80 of letters, digits, `-` and `_`. */
const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,80}$/;

/**
 * Starts the remediation workflow for one drift, the execution named after the incident: a
 * second start of the same drift (a sweep that overlaps another, a retry) is refused by Step
 * Functions with ExecutionAlreadyExists (any closed execution of that name, or a running one with
 * another input), which means "already started"; and the workflow's Claim stops duplicates too.
 */
export async function startDrift(sfn: SFNClient, calls: ApiCalls, stateMachineArn: string, detail: DriftDetail, now: Date): Promise<typeof DriftStatus.STARTED | typeof DriftStatus.ALREADY_STARTED> {
  try {
    await calls.call('StartExecution', (abortSignal) =>
      sfn.send(
        new StartExecutionCommand({
          stateMachineArn,
          name: EXECUTION_NAME.test(detail.incidentId) ? detail.incidentId : undefined,
          input: JSON.stringify(driftEnvelope(detail, now)),
        }),
        { abortSignal },
      ),
    );
    return DriftStatus.STARTED;
  } catch (error) {
    if ((error as Error).name === 'ExecutionAlreadyExists') return DriftStatus.ALREADY_STARTED;
    throw error;
  }
}

import { AuditStore } from '../shared/audit/audit-store';
import { DesiredStateStore } from '../shared/desired/desired-store';
import { defaultDocumentClient } from '../shared/clients/dynamodb';
import type { OverrideBounds } from '../shared/decisions/override-duration';
import type { Closure } from '../shared/incident';
import { closureMetricPoints, type MetricSink } from '../shared/incident-metrics';
import { lambdaMetricSink } from '../shared/lambda-metrics';
import { lambdaHandler } from '../shared/lambda-handler';
import { lambdaLog, type Log } from '../shared/log';
import { requireEnv, rulesFromEnvironment } from '../shared/runtime';
import { closeIncident, type CloseInput } from './close';

export interface CloseDependencies {
  audit: AuditStore;
  desired: DesiredStateStore;
  /** Where the incident's metrics go: CloudWatch in Lambda. */
  metrics: MetricSink;
  /** The rules' `overrides`: a timeout under onTimeout keep-detached is an override of `defaultHours`. */
  overrides: Pick<OverrideBounds, 'defaultHours'>;
  clock?: () => Date;
  log?: (incidentId: string) => Log;
}

/** CloseIncident: the outcome onto the incident, which then never changes again, and its metrics. */
export function createCloseHandler(deps: CloseDependencies) {
  return async (input: CloseInput): Promise<Closure> => {
    const closure = await closeIncident(input, deps);
    deps.metrics(closureMetricPoints(input.state.incident, closure));
    (deps.log ?? lambdaLog)(input.state.incident.incidentId).info('closed', { ...closure });
    return closure;
  };
}

const metrics = lambdaMetricSink();
export const handler = lambdaHandler(
  () =>
    createCloseHandler({
      audit: new AuditStore(defaultDocumentClient(), requireEnv('TABLE_NAME')),
      desired: new DesiredStateStore(defaultDocumentClient(), requireEnv('TABLE_NAME')),
      metrics,
      overrides: rulesFromEnvironment().overrides,
    }),
);

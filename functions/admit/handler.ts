import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { lambdaLog, type Log } from '../shared/log';
import type { ProtectionRules } from '../shared/rules/protection-rules';
import { lambdaHandler } from '../shared/lambda-handler';
import { requireEnv, rulesFromEnvironment } from '../shared/runtime';
import { admissionDocumentClient } from '../shared/clients/dynamodb';
import { AdmissionStore } from './admission-store';
import { admit, type Admission, type AdmitDependencies, type AdmitInput } from './admit';
import { admissionSettings } from './schedule';

/** The workflow passes the incident along for the logs; the admission needs only its own fields. */
export type AdmitEvent = AdmitInput & { incident?: { incidentId?: string } };

export interface AdmitHandlerDependencies {
  /** The rules' `remediation`: the admission (its schedule, or `enabled` false: every attempt admitted at once) and the deadline. */
  rules: Pick<ProtectionRules, 'remediation'>;
  store: AdmissionStore;
  /** @default the rules' remediation deadline */
  deadlineSeconds?: number;
  log?: (incidentId: string) => Log;
}

/**
 * AdmitAttachment, CheckAdmission and ReadmitAttachment: a slot on the shared AttachPolicy
 * schedule (docs/performance.md). With `remediation.admission.enabled` false every attempt is
 * admitted at once, without touching the store.
 */
export function createAdmitHandler(deps: AdmitHandlerDependencies) {
  const { admission, deadlineMinutes } = deps.rules.remediation;
  const settings = admissionSettings(admission);
  const admitDeps: AdmitDependencies = { store: deps.store, settings, deadlineSeconds: deps.deadlineSeconds ?? deadlineMinutes * 60 };
  return async (input: AdmitEvent): Promise<Admission> => {
    if (admission.enabled === false) return { ticket: 0, admitted: true, dueAt: Date.now(), readmissions: input.phase === 'take' ? 0 : input.admission.readmissions + (input.phase === 'readmit' ? 1 : 0) };
    const log = (deps.log ?? lambdaLog)(input.incident?.incidentId ?? 'unknown');
    try {
      return await admit(input, { ...admitDeps, warn: (message) => log.warn(message) });
    } catch (error) {
      log.warn(`admission ${input.phase} failed: the attempt goes on unadmitted`, { error: (error as Error).name, message: (error as Error).message });
      throw error;
    }
  };
}

/** The shared schedule of the rules' admission, kept in `tableName` through `documentClient`. */
export function admissionStoreFor(rules: Pick<ProtectionRules, 'remediation'>, documentClient: DynamoDBDocumentClient, tableName: string): AdmissionStore {
  return new AdmissionStore(documentClient, tableName, admissionSettings(rules.remediation.admission));
}

/** The admission as a deployed function runs it (this one, and classify, which takes the first ticket of an auto incident). */
export function defaultAdmitHandler(rules: Pick<ProtectionRules, 'remediation'>) {
  return createAdmitHandler({ rules, store: admissionStoreFor(rules, admissionDocumentClient(), requireEnv('TABLE_NAME')) });
}

export const handler = lambdaHandler(() => defaultAdmitHandler(rulesFromEnvironment()));

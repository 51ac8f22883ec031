import { lambdaLog, type Log } from '../shared/log';
import type { ProtectionRules } from '../shared/rules/protection-rules';
import { once, requireEnv, rulesFromEnvironment } from '../shared/runtime';
import { admissionDocumentClient } from '../shared/clients/dynamodb';
import { AdmissionStore } from './admission-store';
import { admit, type Admission, type AdmitDependencies, type AdmitInput } from './admit';
import { admissionSettings } from './schedule';

/** The workflow passes the incident along for the logs; the admission needs only its own fields. */
export type AdmitEvent = AdmitInput & { incident?: { incidentId?: string } };

/**
 * AdmitAttachment, CheckAdmission and ReadmitAttachment: a slot on the shared AttachPolicy
 * schedule (docs/performance.md). With `remediation.admission.enabled` false every attempt is
 * admitted at once, without touching the store.
 */
export function createAdmitHandler(deps: AdmitDependencies & { enabled?: boolean; log?: (incidentId: string) => Log }) {
  return async (input: AdmitEvent): Promise<Admission> => {
    if (deps.enabled === false) return { ticket: 0, admitted: true, dueAt: Date.now(), readmissions: input.phase === 'take' ? 0 : input.admission.readmissions + (input.phase === 'readmit' ? 1 : 0) };
    const log = (deps.log ?? lambdaLog)(input.incident?.incidentId ?? 'unknown');
    try {
      return await admit(input, { ...deps, warn: deps.warn ?? ((message) => log.warn(message)) });
    } catch (error) {
      log.warn(`admission ${input.phase} failed: the attempt goes on unadmitted`, { error: (error as Error).name, message: (error as Error).message });
      throw error;
    }
  };
}

/** The admission as a deployed function runs it (this one, and classify, which takes the first ticket of an auto incident). */
export function defaultAdmitHandler(rules: Pick<ProtectionRules, 'remediation'>) {
  const { admission, deadlineMinutes } = rules.remediation;
  const settings = admissionSettings(admission);
  return createAdmitHandler({
    store: new AdmissionStore(admissionDocumentClient(), requireEnv('TABLE_NAME'), settings),
    settings,
    enabled: admission.enabled,
    deadlineSeconds: deadlineMinutes * 60,
  });
}

const defaultHandler = once(() => defaultAdmitHandler(rulesFromEnvironment()));
export const handler = async (input: AdmitEvent) => defaultHandler()(input);

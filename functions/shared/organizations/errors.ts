import { OrganizationsError } from '../errors';

interface SdkErrorShape {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: 'client' | 'server';
}

/**
 * Names an Organizations SDK error as Step Functions would (`Organizations.<ErrorName>`), so
 * the ASL's Retry and Catch can tell transient from permanent failures. Errors that never
 * reached the service (connection reset, timeout) or that the service answered with a 5xx
 * are reported as ServiceException: they are worth another attempt. Shared by the functions
 * that write to the organization (reattach, restore).
 */
export function toOrganizationsError(error: unknown): OrganizationsError {
  const sdk = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  const status = sdk.$metadata?.httpStatusCode;
  const message = sdk.message ?? String(error);
  if (status === undefined || (status >= 500 && sdk.name !== 'ServiceException')) {
    return new OrganizationsError('ServiceException', `${sdk.name ?? 'Error'}: ${message}`, status, { cause: error });
  }
  if (status === 429 && sdk.name !== 'TooManyRequestsException') {
    return new OrganizationsError('TooManyRequestsException', `${sdk.name ?? 'Error'}: ${message}`, status, { cause: error });
  }
  return new OrganizationsError(sdk.name ?? 'UnknownError', message, status, { cause: error });
}

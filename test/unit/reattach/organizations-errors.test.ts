import { AccessDeniedException, ServiceException, TooManyRequestsException } from '@aws-sdk/client-organizations';
import { toOrganizationsError } from '../../../functions/shared/organizations/errors';

const sdkError = (name: string, status: number | undefined) => Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status } });

describe('toOrganizationsError', () => {
  it.each([
    ['a 429 TooManyRequestsException', new TooManyRequestsException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 429 } }), 'Organizations.TooManyRequestsException', true],
    ['a 429 under another name', sdkError('ThrottlingException', 429), 'Organizations.TooManyRequestsException', true],
    ['a 503 ServiceException', new ServiceException({ message: 'try later', $metadata: { httpStatusCode: 503 } }), 'Organizations.ServiceException', true],
    ['a 500 InternalFailure', sdkError('InternalFailure', 500), 'Organizations.ServiceException', true],
    ['a connection reset (no status)', sdkError('ECONNRESET', undefined), 'Organizations.ServiceException', true],
    ['a 400 AccessDeniedException', new AccessDeniedException({ message: 'denied', $metadata: { httpStatusCode: 400 } }), 'Organizations.AccessDeniedException', false],
    ['a 400 PolicyNotFoundException', sdkError('PolicyNotFoundException', 400), 'Organizations.PolicyNotFoundException', false],
  ])('names %s as Step Functions does', (_, error, name, transient) => {
    const translated = toOrganizationsError(error);

    expect(translated.name).toBe(name);
    expect(translated.transient).toBe(transient);
    expect(translated.cause).toBe(error);
  });
});

/** Moved to functions/shared/organizations/errors.ts: the restore function names errors the same way. */
export { toOrganizationsError } from '../shared/organizations/errors';

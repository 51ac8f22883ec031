import { LOCAL_ACCOUNT } from './local-workflow';

/**
 * The guard's own restoring role in local runs (the account of the local canary role): classify
 * calls an event made by it IGNORED_ACTOR, the guard's own restoration, as the CDK tells the
 * deployed classify the real roles (GUARD_ROLE_ARNS). A replayed event made as this role shows
 * that the guard's follow-up events start nothing.
 */
export const LOCAL_GUARD_ROLE_ARN = `arn:aws:iam::${LOCAL_ACCOUNT}:role/scp-guardian-restore`;

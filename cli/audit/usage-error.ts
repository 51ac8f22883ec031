/** A mistake in how `scp-guardian audit` was called: a bad option value or combination. */
export class AuditUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditUsageError';
  }
}

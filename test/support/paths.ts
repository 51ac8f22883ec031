import { join } from 'node:path';

/** The project's root, and the test data under test/support/fixtures, for tests in any folder. */
export const PROJECT_ROOT = join(__dirname, '..', '..');
export const FIXTURES = join(__dirname, 'fixtures');

import { join } from 'node:path';

/** The test data under test/support/fixtures, for tests in any folder (the project's root: cli/project-root.ts). */
export const FIXTURES = join(__dirname, 'fixtures');

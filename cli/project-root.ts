import { join } from 'node:path';

/** The project checkout, where samples/ and statemachine/ live. */
export const PROJECT_ROOT = join(__dirname, '..');

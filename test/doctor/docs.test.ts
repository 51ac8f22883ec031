import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Permission } from '../../cli/doctor/aws-calls';
import { PROJECT_ROOT } from '../support/local-harness';

/** The JSON blocks of docs/cli.md's "What doctor needs in IAM" section. */
function iamPolicyInDocs(): { Statement: { Action: string[] }[] } {
  const text = readFileSync(join(PROJECT_ROOT, 'docs', 'cli.md'), 'utf8');
  const section = text.slice(text.indexOf('### What doctor needs in IAM'));
  const block = /```json\n([\s\S]*?)```/.exec(section);
  if (block === null) throw new Error('docs/cli.md: no IAM policy under "What doctor needs in IAM"');
  return JSON.parse(block[1]) as { Statement: { Action: string[] }[] };
}

describe('doctor\'s documented IAM policy', () => {
  it('lists exactly the permissions doctor\'s calls name when they are denied', () => {
    const documented = iamPolicyInDocs().Statement.flatMap((statement) => statement.Action);

    expect([...documented].sort()).toEqual(Object.values(Permission).sort());
  });
});

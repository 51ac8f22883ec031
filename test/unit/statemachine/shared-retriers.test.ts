import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAMBDA_SERVICE_ERRORS } from '../../../functions/shared/errors';
import { ASL_FILE } from '../../../functions/shared/workflow-functions';
import { SDK_INTEGRATION_PREFIX } from '../../../local/workflow/sdk-integrations';
import { definitionText } from '../../../statemachine/definition';
import { expandSharedRetriers, SHARED_RETRIER_REF } from '../../../statemachine/shared-retriers';
import { PROJECT_ROOT } from '../../../cli/project-root';

type Retrier = Record<string, unknown> & { ErrorEquals?: string[]; $ref?: string; $comment?: string };
type State = { Type: string; Resource?: string; Retry?: Retrier[]; Branches?: { States: Record<string, State> }[] };
type Definition = Record<string, unknown> & { States: Record<string, State> };

const root = PROJECT_ROOT;
const written = JSON.parse(readFileSync(join(root, ASL_FILE), 'utf8')) as Definition & { $defs: Record<string, Retrier> };
const deployed = JSON.parse(definitionText(root)) as Definition;
const LAMBDA_RETRIER = `${SHARED_RETRIER_REF}LambdaServiceErrors`;

function allStates(states: Record<string, State>): [string, State][] {
  return Object.entries(states).flatMap(([name, state]) => [[name, state] as [string, State], ...(state.Branches ?? []).flatMap((b) => allStates(b.States))]);
}
const lambdaTasks = (definition: Definition) =>
  allStates(definition.States).filter(([, s]) => s.Type === 'Task' && !String(s.Resource).startsWith(SDK_INTEGRATION_PREFIX));

/** A definition with one Task state whose Retry is `retry`, beside a shared retrier `Shared`. */
const withRetry = (retry: unknown[], extra: Record<string, unknown> = {}) => ({
  StartAt: 'Work',
  $defs: { Shared: { $comment: 'a note', ErrorEquals: ['Lambda.ServiceException'], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: 'FULL' } },
  States: { Work: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:work', Retry: retry, End: true, ...extra } },
});
const retryOf = (definition: Record<string, unknown>) => (definition.States as { Work: { Retry: unknown[] } }).Work.Retry;

describe('the shared retriers of statemachine/remediation.asl.json', () => {
  // Recorded from the file before its Lambda retriers were shared: the deployed definition did not change.
  it('deploys every state with the retriers it had when each was written out', () => {
    const retriers = Object.fromEntries(allStates(deployed.States).filter(([, s]) => s.Retry !== undefined).map(([name, s]) => [name, (s.Retry ?? []).map((r) => JSON.stringify(r))]));

    expect(retriers).toMatchSnapshot();
  });

  it('retries on the shared Lambda retrier exactly the Lambda service errors of the errors module', () => {
    expect(written.$defs.LambdaServiceErrors.ErrorEquals).toEqual([...LAMBDA_SERVICE_ERRORS]);
  });

  it('gives every Lambda task the shared Lambda retrier, or says in the file why not', () => {
    const how = lambdaTasks(written).map(([name, task]) => {
      const shared = (task.Retry ?? []).find((r) => r.$ref === LAMBDA_RETRIER);
      if (shared !== undefined) return [name, Object.keys(shared).length === 1 ? 'shared' : `shared, tuned: ${shared.$comment ?? 'NO REASON GIVEN'}`];
      return [name, `own: ${(task.Retry ?? []).find((r) => r.$comment !== undefined)?.$comment ?? 'NO REASON GIVEN'}`];
    });

    expect(how.filter(([, h]) => h.includes('NO REASON GIVEN'))).toEqual([]);
    expect(how.filter(([, h]) => h !== 'shared').map(([name]) => name).sort()).toEqual(['AdmitAttachment', 'CheckAdmission', 'ClassifyEvent', 'ClassifyFromRulesAlone', 'ReadmitAttachment']);
  });

  it('deploys each reference as the shared retrier, with only the fields written beside it changed', () => {
    const { $comment: _note, ...shared } = written.$defs.LambdaServiceErrors;
    const deployedStates = new Map(allStates(deployed.States));

    for (const [name, task] of allStates(written.States)) {
      (task.Retry ?? []).forEach((entry, i) => {
        if (entry.$ref === undefined) return;
        const { $ref: _ref, $comment: _why, ...tuned } = entry;
        expect([name, deployedStates.get(name)?.Retry?.[i]]).toEqual([name, { ...shared, ...tuned }]);
      });
    }
  });

  it('deploys nothing of the notation: no $defs, $ref or $comment', () => {
    const text = definitionText(root);

    expect(text).not.toMatch(/"\$(defs|ref|comment)"/);
  });
});

describe('expandSharedRetriers', () => {
  it('replaces a field written beside $ref in its place, so the deployed text keeps the field order', () => {
    const expanded = expandSharedRetriers(withRetry([{ $ref: '#/$defs/Shared', MaxAttempts: 2, $comment: 'why two' }]));

    expect(JSON.stringify(retryOf(expanded))).toBe('[{"ErrorEquals":["Lambda.ServiceException"],"IntervalSeconds":1,"MaxAttempts":2,"BackoffRate":2,"JitterStrategy":"FULL"}]');
  });

  it('drops $defs and every $comment and leaves a retrier written out as it is', () => {
    const own = { ErrorEquals: ['Sandbox.Timedout'], MaxAttempts: 2 };

    const expanded = expandSharedRetriers({ ...withRetry([{ $comment: 'why', ...own }]), $comment: 'about the file' });

    expect(expanded).toEqual({ StartAt: 'Work', States: { Work: expect.objectContaining({ Retry: [own] }) } });
  });

  it('expands the states of a Parallel branch', () => {
    const definition = withRetry([], { Type: 'Parallel', Branches: [{ StartAt: 'Inner', States: { Inner: { Type: 'Task', Resource: 'r', Retry: [{ $ref: '#/$defs/Shared' }], End: true } } }] });

    const expanded = expandSharedRetriers(definition) as { States: { Work: { Branches: { States: { Inner: { Retry: unknown[] } } }[] } } };

    expect(expanded.States.Work.Branches[0].States.Inner.Retry).toEqual([expect.objectContaining({ ErrorEquals: ['Lambda.ServiceException'], MaxAttempts: 3 })]);
  });

  it('refuses a reference to a retrier $defs does not hold', () => {
    expect(() => expandSharedRetriers(withRetry([{ $ref: '#/$defs/Missing' }]))).toThrow('Work.Retry[0]: #/$defs/Missing names no retrier of $defs');
  });

  it.each(['__proto__', 'toString', 'constructor', 'hasOwnProperty'])('refuses a reference to %s, a name every object inherits but $defs does not hold', (name) => {
    expect(() => expandSharedRetriers(withRetry([{ $ref: `#/$defs/${name}` }]))).toThrow(`Work.Retry[0]: #/$defs/${name} names no retrier of $defs`);
  });

  describe('with a retrier named __proto__ in $defs, as JSON.parse reads it', () => {
    const withProtoRetrier = (ref: string) => ({ ...withRetry([{ $ref: ref }]), $defs: JSON.parse('{"__proto__":{"ErrorEquals":["States.Timeout"],"MaxAttempts":2}}') as unknown });

    it('expands a reference to it as to any other retrier', () => {
      expect(retryOf(expandSharedRetriers(withProtoRetrier('#/$defs/__proto__')))).toEqual([{ ErrorEquals: ['States.Timeout'], MaxAttempts: 2 }]);
    });

    it('does not take its fields for retriers', () => {
      expect(() => expandSharedRetriers(withProtoRetrier('#/$defs/ErrorEquals'))).toThrow('Work.Retry[0]: #/$defs/ErrorEquals names no retrier of $defs');
    });
  });

  it('refuses beside $ref a field the shared retrier only inherits, such as toString', () => {
    expect(() => expandSharedRetriers(withRetry([{ $ref: '#/$defs/Shared', toString: 7 }]))).toThrow(/not toString/);
  });

  it('refuses to change what a shared retrier matches, or to add a field it does not have', () => {
    expect(() => expandSharedRetriers(withRetry([{ $ref: '#/$defs/Shared', ErrorEquals: ['States.ALL'] }]))).toThrow(/not ErrorEquals/);
    expect(() => expandSharedRetriers(withRetry([{ $ref: '#/$defs/Shared', MaxDelaySeconds: 5 }]))).toThrow(/not MaxDelaySeconds/);
  });

  it('refuses the notation outside Retry entries, so none of it reaches Step Functions', () => {
    expect(() => expandSharedRetriers(withRetry([], { Catch: [{ $ref: '#/$defs/Shared' }] }))).toThrow(/\$ref may only be used in Retry entries/);
    expect(() => expandSharedRetriers(withRetry([], { $comment: 'on a state' }))).toThrow(/\$comment may only be used/);
  });
});

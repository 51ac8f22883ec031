import fc from 'fast-check';
import { incidentIdOf } from '../../../functions/classify/incident-id';
import { CLASSIFY_INPUT, classifyPure } from './classify-support';
import { fixtureEnvelope, fixtureNames } from './fixtures';
import { mutate, mutationArbitrary, type Json } from './mutations';

/** What `local --serve` answers for POST /events before the execution runs: the id Classify will give. */
describe('incidentIdOf', () => {
  const expected = (envelope: unknown) => classifyPure(envelope).incidentId;
  const ofEnvelope = (envelope: unknown) => incidentIdOf(envelope, CLASSIFY_INPUT.executionId);
  const executionName = CLASSIFY_INPUT.executionId.split(':').pop();

  it.each(fixtureNames())('names %s as Classify does', (name) => {
    const envelope = fixtureEnvelope(name);

    const incidentId = ofEnvelope(envelope);

    expect(incidentId).toBe(expected(envelope));
  });

  it('takes the CloudTrail eventID when it is a well-formed event id', () => {
    const envelope = { id: 'e1f2a3b4-0000-4000-8000-000000000001', detail: { eventID: 'c0ffee00-1111-4222-8333-444455556666', eventName: 'DetachPolicy' } };

    expect(ofEnvelope(envelope)).toBe('c0ffee00-1111-4222-8333-444455556666');
  });

  it('takes the EventBridge id when the eventID is not an event id, so redeliveries still meet', () => {
    const envelope = { id: 'e1f2a3b4-0000-4000-8000-000000000001', detail: { eventID: 'not an id!' } };

    expect(ofEnvelope(envelope)).toBe('e1f2a3b4-0000-4000-8000-000000000001');
    expect(expected(envelope)).toBe('e1f2a3b4-0000-4000-8000-000000000001');
  });

  it('falls back to the execution name when the envelope carries no usable id', () => {
    expect(ofEnvelope([1, 2, 3])).toBe(`invalid-${executionName}`);
    expect(expected([1, 2, 3])).toBe(`invalid-${executionName}`);
  });

  it('agrees with Classify on mutated events of every kind', () => {
    const detach = fixtureEnvelope('detachpolicy-assumed-role-from-ou.json') as Json;

    fc.assert(
      fc.property(mutationArbitrary, (mutation) => {
        const envelope = mutate(detach, mutation);
        return ofEnvelope(envelope) === expected(envelope);
      }),
      { numRuns: 2_000 },
    );
    const id = fc.oneof(fc.uuid(), fc.string(), fc.jsonValue());
    const envelopes = fc.oneof(fc.jsonValue(), fc.record({ id, detail: fc.oneof(fc.jsonValue(), fc.record({ eventID: id })) }, { requiredKeys: [] }));
    fc.assert(fc.property(envelopes, (envelope) => ofEnvelope(envelope) === expected(envelope)), { numRuns: 2_000 });
  });
});

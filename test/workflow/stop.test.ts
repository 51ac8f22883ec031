import type { LocalEnvironment } from '../../local/environment';
import { detachEvent } from '../support/events';
import { Org, startEnvironment } from '../support/local-harness';

/**
 * Stopping the local environment stops the executions still running: one waiting for a decision
 * would otherwise hold its task's timeout (the approval window) and the execution's (hours), and
 * keep a process that stopped everything else from exiting.
 */
describe('stopping the local environment', () => {
  let env: LocalEnvironment | undefined;
  afterEach(async () => {
    await env?.stop();
    env = undefined;
  });

  it('ends an execution waiting for a decision, as StopExecution would, and leaves no task waiting', async () => {
    let requested = false;
    env = await startEnvironment({ onDecisionRequested: () => (requested = true) });
    const { result } = env.run(detachEvent({ policyId: Org.protectCloudTrail, targetId: Org.sandboxOu }));
    while (!requested) await new Promise((resolve) => setTimeout(resolve, 20));

    await env.stop();
    const execution = await result;

    expect(execution).toMatchObject({ status: 'FAILED', error: 'ExecutionAbortedError' });
    expect(execution.statesEntered).toContain('RequestDecision');
    expect(execution.statesEntered).not.toContain('ReattachPolicy');
    expect(env.broker.pending).toBe(0);
  });
});

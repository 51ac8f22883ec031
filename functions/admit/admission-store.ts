import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { admissionKey } from '../shared/audit/table-schema';
import { AdmissionUnavailableError, describeError } from '../shared/errors';
import { cutAt, dueAt, initialSchedule, restartAt, type AdmissionSettings, type Schedule } from './schedule';

/** A ticket and when the schedule says it is due. */
export interface Ticket {
  readonly ticket: number;
  readonly dueAt: number;
  readonly schedule: Schedule;
}

const isConditionFailure = (error: unknown) => (error as { name?: string }).name === 'ConditionalCheckFailedException';

function scheduleOf(item: Record<string, unknown> | undefined): Schedule | undefined {
  if (item === undefined || typeof item.version !== 'number') return undefined;
  return {
    ticket: Number(item.ticket ?? 0),
    baseTicket: Number(item.baseTicket),
    baseAt: Number(item.baseAt),
    baseRate: Number(item.baseRate),
    probing: item.probing === true,
    cutAt: Number(item.cutAt ?? 0),
    version: Number(item.version),
  };
}

/**
 * The one admission item of an operation (table-schema.ts `admissionKey`) in DynamoDB. A ticket
 * is one atomic ADD; a rebase (a fresh, idle or cut schedule) is a conditional write on the
 * version, so two executions never rebase from the same state. Every failure is an
 * AdmissionUnavailableError: the caller goes on without a slot.
 */
export class AdmissionStore {
  private readonly key: ReturnType<typeof admissionKey>;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly settings: AdmissionSettings,
    operation = 'AttachPolicy',
  ) {
    this.key = admissionKey(operation);
  }

  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof AdmissionUnavailableError) throw error;
      throw new AdmissionUnavailableError(`${what}: ${describeError(error)}`, { cause: error });
    }
  }

  /** The schedule as it is now (a strongly consistent read). */
  async read(): Promise<Schedule | undefined> {
    return this.call('read the admission schedule', async () => {
      const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: this.key, ConsistentRead: true }));
      return scheduleOf(Item);
    });
  }

  /** Writes a new base if the schedule is still at `version`; false when another execution got there first. */
  private async rebase(version: number | undefined, fields: Partial<Schedule>): Promise<boolean> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    for (const [field, value] of Object.entries(fields)) {
      if (field === 'version' || field === 'ticket') continue;
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
    names['#version'] = 'version';
    values[':next'] = (version ?? 0) + 1;
    sets.push('#version = :next');
    if (version !== undefined) values[':version'] = version;
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key,
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: version === undefined ? 'attribute_not_exists(#version)' : '#version = :version',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /**
   * Takes the next ticket. The first ticket ever starts the schedule at the expected rate; a
   * ticket that would be due in the past (nobody was waiting) restarts the schedule at now, so an
   * idle guard never owes a burst.
   */
  async take(nowMs: number): Promise<Ticket> {
    return this.call('take an admission ticket', async () => {
      for (let attempt = 0; ; attempt++) {
        // ALL_OLD: the item as it was, so the gap since the last ticket is known; the base is unchanged by this update.
        const { Attributes } = await this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: this.key,
            UpdateExpression: 'ADD #ticket :one SET #lastTakeAt = :now',
            ExpressionAttributeNames: { '#ticket': 'ticket', '#lastTakeAt': 'lastTakeAt' },
            ExpressionAttributeValues: { ':one': 1, ':now': nowMs },
            ReturnValues: 'ALL_OLD',
          }),
        );
        const ticket = Number(Attributes?.ticket ?? 0) + 1;
        const idleMs = nowMs - Number(Attributes?.lastTakeAt ?? 0);
        let schedule = scheduleOf(Attributes === undefined ? undefined : { ...Attributes, ticket });
        if (schedule === undefined) {
          const fresh = { ...initialSchedule(this.settings, nowMs), baseTicket: ticket };
          if (await this.rebase(undefined, fresh)) return { ticket, dueAt: nowMs, schedule: { ...fresh, ticket } };
          schedule = await this.read();
          if (schedule === undefined) throw new AdmissionUnavailableError('the admission schedule vanished');
        }
        const due = dueAt(schedule, this.settings, ticket);
        if (due >= nowMs - this.settings.idleToleranceMs) return { ticket, dueAt: due, schedule };
        const restarted = restartAt(schedule, this.settings, ticket, nowMs, idleMs);
        if (await this.rebase(schedule.version, restarted)) return { ticket, dueAt: nowMs, schedule: { ...schedule, ...restarted, version: schedule.version + 1 } };
        // Another execution restarted the schedule at the same moment: this ticket may be before
        // its base (due in the past). Read once more; a ticket still far behind is swapped for a new one.
        const current = await this.read();
        if (current !== undefined && dueAt(current, this.settings, ticket) >= nowMs - this.settings.idleToleranceMs) {
          return { ticket, dueAt: dueAt(current, this.settings, ticket), schedule: current };
        }
        if (attempt >= 2) return { ticket, dueAt: nowMs, schedule: current ?? schedule };
      }
    });
  }

  /** When ticket k is due under the schedule as it is now. */
  async due(ticket: number, nowMs: number): Promise<Ticket> {
    const schedule = await this.read();
    if (schedule === undefined) return { ticket, dueAt: nowMs, schedule: { ...initialSchedule(this.settings, nowMs), ticket } };
    return { ticket, dueAt: dueAt(schedule, this.settings, ticket), schedule };
  }

  /** A throttle of an attempt admitted at `admittedAtMs`: cuts the rate once per overload. Whether it cut. */
  async reportThrottle(nowMs: number, admittedAtMs: number, admittedRate: number): Promise<boolean> {
    return this.call('cut the admission rate', async () => {
      for (let attempt = 0; attempt < 3; attempt++) {
        const schedule = await this.read();
        if (schedule === undefined) return false;
        const cut = cutAt(schedule, this.settings, nowMs, admittedAtMs, admittedRate);
        if (cut === undefined) return false;
        if (await this.rebase(schedule.version, cut)) return true;
      }
      return false;
    });
  }
}

import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { admissionKey } from '../shared/audit/table-schema';
import { AdmissionUnavailableError, describeError } from '../shared/errors';
import { cutAt, dueAt, initialSchedule, restartAt, restartsSchedule, type AdmissionSettings, type Schedule } from './schedule';

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
    // An item written before settleUntil existed: attempts admitted before its last cut do not cut again.
    settleUntil: Number(item.settleUntil ?? item.cutAt ?? 0),
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

  /**
   * Writes a new base if the schedule is still at `version` (and, with `lastTicket`, no later
   * ticket has been handed out); false when another execution got there first.
   */
  private async rebase(version: number | undefined, fields: Partial<Schedule>, lastTicket?: number): Promise<boolean> {
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
    if (lastTicket !== undefined) {
      names['#ticket'] = 'ticket';
      values[':lastTicket'] = lastTicket;
    }
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key,
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression:
            (version === undefined ? 'attribute_not_exists(#version)' : '#version = :version') + (lastTicket === undefined ? '' : ' AND #ticket = :lastTicket'),
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
   * Takes the next ticket. The first ticket ever starts the schedule at the expected rate, in the
   * same atomic write that hands it out (if_not_exists), so no later ticket can become the base
   * of a fresh schedule while earlier ones are in flight. A ticket that would be due in the past
   * (nobody was waiting) restarts the schedule at now, so an idle guard never owes a burst; so
   * does a base in the future (a skewed clock), which no ticket should wait for. Slots are
   * monotonic in ticket order: a restart is a shift of the curve, and it shifts ticket k to now
   * only while no later ticket has been handed out under the old schedule; otherwise only to the
   * edge of the tolerance, which every later ticket handed out then lies after.
   */
  async take(nowMs: number): Promise<Ticket> {
    return this.call('take an admission ticket', async () => {
      const fresh = initialSchedule(this.settings, nowMs);
      for (let attempt = 0; ; attempt++) {
        // ALL_OLD: the item as it was, so the gap since the last ticket is known; the base is set only if there was none.
        const { Attributes } = await this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: this.key,
            UpdateExpression:
              'ADD #ticket :one SET #lastTakeAt = :now, #baseTicket = if_not_exists(#baseTicket, :one), #baseAt = if_not_exists(#baseAt, :now), ' +
              '#baseRate = if_not_exists(#baseRate, :rate), #probing = if_not_exists(#probing, :true), #version = if_not_exists(#version, :one)',
            ExpressionAttributeNames: {
              '#ticket': 'ticket',
              '#lastTakeAt': 'lastTakeAt',
              '#baseTicket': 'baseTicket',
              '#baseAt': 'baseAt',
              '#baseRate': 'baseRate',
              '#probing': 'probing',
              '#version': 'version',
            },
            ExpressionAttributeValues: { ':one': 1, ':now': nowMs, ':rate': fresh.baseRate, ':true': true },
            ReturnValues: 'ALL_OLD',
          }),
        );
        const ticket = Number(Attributes?.ticket ?? 0) + 1;
        const idleMs = nowMs - Number(Attributes?.lastTakeAt ?? 0);
        const schedule = scheduleOf(Attributes === undefined ? undefined : { ...Attributes, ticket });
        // No item before this write: this ticket is the base of the schedule it just started.
        if (schedule === undefined) return { ticket, dueAt: nowMs, schedule: { ...fresh, baseTicket: 1, ticket } };
        const { restarts, fromTheFuture } = restartsSchedule(schedule, this.settings, ticket, nowMs);
        if (!restarts) return { ticket, dueAt: dueAt(schedule, this.settings, ticket), schedule };
        const restarted = restartAt(schedule, this.settings, ticket, nowMs, idleMs);
        if (await this.rebase(schedule.version, restarted, fromTheFuture ? undefined : ticket)) return { ticket, dueAt: nowMs, schedule: { ...schedule, ...restarted, version: schedule.version + 1 } };
        let current = await this.read();
        if (current !== undefined && current.version === schedule.version && !fromTheFuture) {
          // Later tickets were handed out under the old schedule, none earlier than the edge of
          // the tolerance: the curve is shifted so that this ticket is due at that edge, and every
          // later ticket (handed out or not) after it.
          const edge = { ...restarted, baseAt: nowMs - this.settings.idleToleranceMs };
          if (await this.rebase(schedule.version, edge)) return { ticket, dueAt: edge.baseAt, schedule: { ...schedule, ...edge, version: schedule.version + 1 } };
          current = await this.read();
        }
        // Another execution restarted the schedule at the same moment: this ticket may be before
        // its base (due in the past). A ticket still far behind is swapped for a new one.
        if (current !== undefined && !restartsSchedule(current, this.settings, ticket, nowMs).restarts) {
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

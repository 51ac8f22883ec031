import type { Closure, Incident, PolicyRef, RestoreAction, RestoreReport, TargetRef } from '../incident';
import { Kind, Mode, TargetType, Verdict } from '../vocabulary';

/**
 * The words for each kind of incident (what weakened a protection, and what the guard does about
 * it), in one place: the email, the Slack message, the audit CLI and the dashboard all take them
 * from here, so a responder reads the same thing wherever they look. (Kinds: docs/contracts.md.)
 *
 * Texts that Slack shows in bold hold the bold part between asterisks (`the policy is *reattached*`);
 * `plainWords` takes them out for email and the terminal.
 */

/** How much of the names a label shows: all of it, or the ids alone (for a short subject). */
export type LabelDetail = 'names' | 'ids';

const POLICY_TYPE_WORD: Record<string, [singular: string, plural: string]> = {
  SERVICE_CONTROL_POLICY: ['SCP', 'SCPs'],
  RESOURCE_CONTROL_POLICY: ['RCP', 'RCPs'],
  TAG_POLICY: ['Tag policy', 'Tag policies'],
  BACKUP_POLICY: ['Backup policy', 'Backup policies'],
  AISERVICES_OPT_OUT_POLICY: ['AI opt-out policy', 'AI opt-out policies'],
  CHATBOT_POLICY: ['Chatbot policy', 'Chatbot policies'],
  DECLARATIVE_POLICY_EC2: ['Declarative policy', 'Declarative policies'],
};

/** "SCP" for SERVICE_CONTROL_POLICY, "Policy" for a type not known. */
export function policyTypeWord(type: string | undefined): string {
  return POLICY_TYPE_WORD[type ?? '']?.[0] ?? 'Policy';
}

/** "SCPs" for SERVICE_CONTROL_POLICY, "Policies" for a type not known. */
export function policyTypePlural(type: string | undefined): string {
  return POLICY_TYPE_WORD[type ?? '']?.[1] ?? 'Policies';
}

/** "SCP DenyLeaveOrg (p-12345678)", or "SCP p-12345678" without the name. */
export function policyRefLabel(policy: PolicyRef, detail: LabelDetail = 'names'): string {
  const kind = policyTypeWord(policy.type);
  const id = policy.id ?? '(unknown policy)';
  return policy.name && detail === 'names' ? `${kind} ${policy.name} (${id})` : `${kind} ${id}`;
}

/**
 * "OU Prod", "account prod-app (111111111111)", "the root r-ab12"; ids alone on request. With
 * `withId`, an OU's name comes with its id too ("OU Prod (ou-ab12-11111111)").
 */
export function targetRefLabel(target: TargetRef, detail: LabelDetail = 'names', withId = false): string {
  const id = target.id ?? '(unknown target)';
  const name = detail === 'names' ? target.name : undefined;
  switch (target.type ?? targetTypeOf(target.id)) {
    case TargetType.ROOT:
      return `the root ${id}`;
    case TargetType.ORGANIZATIONAL_UNIT:
      return name ? (withId ? `OU ${name} (${id})` : `OU ${name}`) : `OU ${id}`;
    case TargetType.ACCOUNT:
      return name ? `account ${name} (${id})` : `account ${id}`;
    default:
      return id;
  }
}

/** The kind of attachment point an id names, from its shape. */
export function targetTypeOf(id: string | undefined): TargetRef['type'] {
  if (id === undefined) return undefined;
  if (/^r-/.test(id)) return TargetType.ROOT;
  if (/^ou-/.test(id)) return TargetType.ORGANIZATIONAL_UNIT;
  if (/^\d{12}$/.test(id)) return TargetType.ACCOUNT;
  return undefined;
}

/** The names a surface writes: plain text (email, terminal) or Slack mrkdwn. */
export interface NameStyle {
  policy(policy: PolicyRef): string;
  /** A target; `withId` asks for the id beside the name where the label would drop it. */
  target(target: TargetRef, withId?: boolean): string;
  /** Free text (a kind of policy, a rule's description), escaped as the surface needs. */
  text(text: string): string;
}

/** Names in plain text, with names or ids alone. */
export function plainStyle(detail: { policy: LabelDetail; target: LabelDetail } = { policy: 'names', target: 'names' }): NameStyle {
  return {
    policy: (policy) => policyRefLabel(policy, detail.policy),
    target: (target, withId) => targetRefLabel(target, detail.target, withId),
    text: (text) => text,
  };
}

/** Takes the Slack bold marks out of a text of this module. */
export function plainWords(text: string): string {
  return text.replace(/\*/g, '');
}

/** The kind whose words an incident takes: a drift of another kind speaks as that kind. */
export function wordsKind(incident: Pick<Incident, 'kind' | 'driftOf'>): Kind | undefined {
  return incident.kind === Kind.DRIFT && incident.driftOf !== undefined ? incident.driftOf : incident.kind;
}

/** The sweep found it (a drift), rather than an event. */
export function foundBySweep(incident: Pick<Incident, 'kind'>): boolean {
  return incident.kind === Kind.DRIFT;
}

/** Each kind in a few words, for a column, a filter's help, a graph's legend. */
export const KIND_NAME: Record<Kind, string> = {
  [Kind.DETACHED]: 'policy detached',
  [Kind.POLICY_TYPE_DISABLED]: 'policy type disabled',
  [Kind.ACCOUNT_MOVED]: 'account moved',
  [Kind.POLICY_CHANGED]: 'policy rewritten',
  [Kind.POLICY_DELETED]: 'policy deleted',
  [Kind.FORBIDDEN_ATTACHED]: 'forbidden policy attached',
  [Kind.DRIFT]: 'drift found by the sweep',
};

/** Each kind in one word or two, for an 80-column table. */
export const KIND_SHORT: Record<Kind, string> = {
  [Kind.DETACHED]: 'detached',
  [Kind.POLICY_TYPE_DISABLED]: 'disabled',
  [Kind.ACCOUNT_MOVED]: 'moved',
  [Kind.POLICY_CHANGED]: 'rewritten',
  [Kind.POLICY_DELETED]: 'deleted',
  [Kind.FORBIDDEN_ATTACHED]: 'forbidden',
  [Kind.DRIFT]: 'drift',
};

/** What weakened protection, in a sentence's worth: "ACCOUNT_MOVED (account moved)"; a drift says of what. */
export function kindDescription(kind: string | undefined, driftOf?: string): string {
  if (kind === undefined) return 'no known kind';
  const name = KIND_NAME[kind as Kind] ?? kind;
  if (kind === Kind.DRIFT && driftOf !== undefined) return `${kind} of ${driftOf} (${KIND_NAME[driftOf as Kind] ?? driftOf}, found by the sweep)`;
  return `${kind} (${name})`;
}

/** The kind as a table shows it: "moved", or "drift:moved" for a drift of another kind. */
export function kindShort(kind: string | undefined, driftOf?: string): string {
  if (kind === undefined) return '-';
  const short = KIND_SHORT[kind as Kind] ?? kind;
  return kind === Kind.DRIFT && driftOf !== undefined ? `${short}:${KIND_SHORT[driftOf as Kind] ?? driftOf}` : short;
}

/**
 * What restoring means for each kind, and what keeping it as it is means: the buttons, the
 * decisions, what a timeout does. POLICY_DELETED cannot be restored and asks nothing; DRIFT of a
 * missing pair, and an incident of no known kind, speak as DETACHED.
 */
export interface RemedyWords {
  /** After a colon: what the guard is doing ("reattaching"). */
  doing: string;
  /** A short form of `doing` for a subject that must fit. */
  doingShort: string;
  /** What it will do once approved, after "awaiting approval to". */
  toDo: string;
  /** The outcome, done ("reattached"). */
  done: string;
  /** The outcome when a person (or a timeout) kept it as it is ("kept detached"). */
  kept: string;
  /** The outcome when the restoration failed, in capitals so it is seen. */
  failed: string;
  /** What onTimeout reattach and keep-detached do, in two words: "reattach", "keep detached". */
  restoreShort: string;
  keepShort: string;
  /** The same as a sentence with the deciding words in bold. */
  restores: string;
  stays: string;
  /** The rule in auto mode does this without asking. */
  autoVerb: string;
  /** What APPROVE, OVERRIDE and AUTO did, after the decider's name. */
  approved: string;
  overrode: string;
  auto: string;
  /** What the Slack message says while the guard is at it, and when the restoration is called off. */
  doingNow: string;
  cancelled: string;
  /** The decision buttons, the override dialog's title (Slack: 24 characters at most) and question. */
  approveButton: string;
  keepButton: string;
  keepTitle: string;
  keepQuestion: string;
  keepConfirm: string;
  /** `decide --override --reason` in the email: an example of why. */
  keepReason: string;
}

const DETACHED_REMEDY: RemedyWords = {
  doing: 'reattaching',
  doingShort: 'reattaching',
  toDo: 'reattach it',
  done: 'reattached',
  kept: 'kept detached',
  failed: 'REATTACH FAILED',
  restoreShort: 'reattach',
  keepShort: 'keep detached',
  restores: 'the policy is *reattached*',
  stays: 'the policy *stays detached*',
  autoVerb: 'reattaches',
  approved: 'approved reattaching the policy',
  overrode: 'chose to keep the policy detached',
  auto: 'reattached automatically (auto mode)',
  doingNow: 'Reattaching now.',
  cancelled: 'The reattachment is cancelled.',
  approveButton: 'Reattach now',
  keepButton: 'Keep detached',
  keepTitle: 'Keep policy detached',
  keepQuestion: 'Why keep it detached?',
  keepConfirm: 'Keep the policy detached?',
  keepReason: 'why it stays detached',
};

const REMEDY: Record<Kind, RemedyWords> = {
  [Kind.DETACHED]: DETACHED_REMEDY,
  [Kind.DRIFT]: DETACHED_REMEDY,
  [Kind.POLICY_TYPE_DISABLED]: {
    doing: 're-enabling and restoring every protected attachment',
    doingShort: 're-enabling and restoring',
    toDo: 're-enable and restore',
    done: 're-enabled',
    kept: 'kept disabled',
    failed: 'RESTORE FAILED',
    restoreShort: 're-enable',
    keepShort: 'keep disabled',
    restores: 'the type is *re-enabled* and every protected attachment *restored*',
    stays: 'the type *stays disabled*',
    autoVerb: 're-enables the type and restores every protected attachment',
    approved: 'approved re-enabling the type and restoring the attachments',
    overrode: 'chose to keep the type disabled',
    auto: 're-enabled automatically (auto mode)',
    doingNow: 'Re-enabling the type and restoring every protected attachment now.',
    cancelled: 'The re-enabling is cancelled.',
    approveButton: 'Re-enable now',
    keepButton: 'Keep disabled',
    keepTitle: 'Keep the type disabled',
    keepQuestion: 'Why keep it disabled?',
    keepConfirm: 'Keep the policy type disabled?',
    keepReason: 'why it stays disabled',
  },
  [Kind.ACCOUNT_MOVED]: {
    doing: 'moving it back',
    doingShort: 'moving it back',
    toDo: 'move it back',
    done: 'moved back',
    kept: 'left where it is',
    failed: 'MOVE BACK FAILED',
    restoreShort: 'move back',
    keepShort: 'leave it',
    restores: 'the account is *moved back*',
    stays: 'the account *stays where it is*',
    autoVerb: 'moves the account back',
    approved: 'approved moving the account back',
    overrode: 'chose to leave the account where it is',
    auto: 'moved back automatically (auto mode)',
    doingNow: 'Moving the account back now.',
    cancelled: 'The move back is cancelled.',
    approveButton: 'Move back now',
    keepButton: 'Leave it there',
    keepTitle: 'Leave the account there',
    keepQuestion: 'Why leave it there?',
    keepConfirm: 'Leave the account where it is?',
    keepReason: 'why it stays where it is',
  },
  [Kind.POLICY_CHANGED]: {
    doing: 'restoring its last known content',
    doingShort: 'restoring it',
    toDo: 'restore its last known content',
    done: 'last known content restored',
    kept: 'new content kept',
    failed: 'RESTORE FAILED',
    restoreShort: 'restore',
    keepShort: 'keep it',
    restores: 'the last known content is *restored*',
    stays: 'the new content *stays*',
    autoVerb: 'restores the last known content',
    approved: 'approved restoring the last known content',
    overrode: 'chose to keep the new content',
    auto: 'restored automatically (auto mode)',
    doingNow: 'Restoring the last known content now.',
    cancelled: 'The restore is cancelled.',
    approveButton: 'Restore content now',
    keepButton: 'Keep new content',
    keepTitle: 'Keep the new content',
    keepQuestion: 'Why keep the new content?',
    keepConfirm: 'Keep the new content?',
    keepReason: 'why the new content stays',
  },
  [Kind.POLICY_DELETED]: {
    ...DETACHED_REMEDY,
    doing: 'it cannot return under its id',
    doingShort: 'it cannot return under its id',
    done: 'recreate it by hand',
    failed: 'it cannot return under its id',
    autoVerb: 'reports it (a deleted policy cannot return under its id)',
  },
  [Kind.FORBIDDEN_ATTACHED]: {
    doing: 'detaching it',
    doingShort: 'detaching it',
    toDo: 'detach it',
    done: 'detached',
    kept: 'kept attached',
    failed: 'DETACH FAILED',
    restoreShort: 'detach',
    keepShort: 'keep attached',
    restores: 'the policy is *detached*',
    stays: 'the policy *stays attached*',
    autoVerb: 'detaches it',
    approved: 'approved detaching the policy',
    overrode: 'chose to keep the policy attached',
    auto: 'detached automatically (auto mode)',
    doingNow: 'Detaching it now.',
    cancelled: 'The detachment is cancelled.',
    approveButton: 'Detach now',
    keepButton: 'Keep attached',
    keepTitle: 'Keep policy attached',
    keepQuestion: 'Why keep it attached?',
    keepConfirm: 'Keep the policy attached?',
    keepReason: 'why it stays attached',
  },
};

/** What restoring and keeping mean for this incident's kind. */
export function remedyWords(incident: Pick<Incident, 'kind' | 'driftOf'>): RemedyWords {
  const kind = wordsKind(incident);
  return kind === undefined ? DETACHED_REMEDY : REMEDY[kind];
}

/** Who did it, as a label of the actor: "Detached by", "Moved by". */
export function actorLabel(incident: Pick<Incident, 'kind' | 'driftOf'>): string {
  switch (wordsKind(incident)) {
    case Kind.POLICY_TYPE_DISABLED:
      return 'Disabled by';
    case Kind.ACCOUNT_MOVED:
      return 'Moved by';
    case Kind.POLICY_CHANGED:
      return 'Rewritten by';
    case Kind.POLICY_DELETED:
      return 'Deleted by';
    case Kind.FORBIDDEN_ATTACHED:
      return 'Attached by';
    default:
      return 'Detached by';
  }
}

/**
 * POLICY_CHANGED: whether the rules restore the content (`policyContent.restore`). Undefined when
 * the incident does not say; then an approval or auto rule is taken to restore it.
 */
export function restoresContent(incident: Incident): boolean | undefined {
  const restore = (incident.change as { restore?: unknown } | undefined)?.restore;
  return typeof restore === 'boolean' ? restore : undefined;
}

/** The words of the reported-not-restored outcome of POLICY_CHANGED. */
export const NOT_RESTORED = 'reported, not restored (policyContent.restore is false)';
export const NOT_RESTORED_SHORT = 'reported, not restored';

/** An account moved: the account, and where from and to (the names when the incident has them). */
interface MoveFacts {
  account: TargetRef;
  from: TargetRef;
  to: TargetRef;
}

type MoveWithNames = NonNullable<Incident['move']> & { sourceParentName?: string; destinationParentName?: string };

function moveFacts(incident: Incident): MoveFacts {
  const move = incident.move as MoveWithNames | undefined;
  const accountId = move?.accountId ?? incident.target.id;
  const account: TargetRef = { id: accountId, type: TargetType.ACCOUNT, name: incident.target.id === accountId ? incident.target.name : undefined };
  const parent = (id: string | undefined, name: string | undefined): TargetRef => ({ id, type: targetTypeOf(id), name });
  return { account, from: parent(move?.sourceParentId, move?.sourceParentName), to: parent(move?.destinationParentId, move?.destinationParentName) };
}

/** POLICY_TYPE_DISABLED: the type disabled (its plural, "SCPs") and the root. */
function disabledFacts(incident: Incident): { types: string; type: string; rootId: string } {
  const type = incident.disabledType?.policyType ?? incident.policy.type ?? 'SERVICE_CONTROL_POLICY';
  return { types: policyTypePlural(type), type, rootId: incident.disabledType?.rootId ?? incident.target.id ?? '(unknown root)' };
}

const capitalize = (text: string) => (text === '' ? text : `${text[0].toUpperCase()}${text.slice(1)}`);

/** How much the "what" leaves out: nothing, what the reader can do without, or all it can. */
export type Brevity = boolean | 'most';

/**
 * What happened, the first half of a headline: "SCP DenyLeaveOrg (p-12345678) detached from OU
 * Prod". `brief` leaves out what the reader can do without (a move's destination, the forbid
 * rule's part, the sweep), never the policy or the target.
 */
export function whatHappened(incident: Incident, style: NameStyle, brief: Brevity = false): string {
  const sweep = foundBySweep(incident);
  const policy = () => style.policy(incident.policy);
  switch (wordsKind(incident)) {
    case Kind.POLICY_TYPE_DISABLED: {
      const { types } = disabledFacts(incident);
      return `${style.text(types)} ${sweep ? 'found disabled' : 'were disabled'} for the whole organization`;
    }
    case Kind.ACCOUNT_MOVED: {
      const { account, from, to } = moveFacts(incident);
      const head = `${capitalize(style.target(account))} ${sweep ? 'found moved' : 'moved'} out of ${style.target(from, !brief)}`;
      if (to.id === undefined) return head;
      if (!brief) return `${head} to ${style.target(to, true)}`;
      // Brief: the destination by its name alone, or not at all when only its id would show.
      return brief === 'most' || style.target(to) === style.target({ id: to.id, type: to.type }) ? head : `${head} to ${style.target(to)}`;
    }
    case Kind.POLICY_CHANGED: {
      const attached = incident.target.id === undefined ? '' : brief ? ` (on ${style.target(incident.target)})` : ` (attached to ${style.target(incident.target, true)})`;
      return `${policy()} ${sweep ? 'found rewritten' : 'was rewritten'}${attached}`;
    }
    case Kind.POLICY_DELETED:
      return `${policy()} ${sweep ? 'found deleted' : 'was deleted'}`;
    case Kind.FORBIDDEN_ATTACHED: {
      const where = style.target(incident.target, !brief);
      if (brief) return `${policy()} ${sweep ? 'found attached' : 'attached'} to ${where}${brief === 'most' ? '' : ' (forbidden)'}`;
      return `${policy()} ${sweep ? 'found attached' : 'was attached'} to ${where}, which a forbid rule keeps it off`;
    }
    default:
      return sweep && !brief ? `${policy()} found detached from ${style.target(incident.target)} by the sweep` : `${policy()} ${sweep ? 'found detached' : 'detached'} from ${style.target(incident.target)}`;
  }
}

/** The headline's "what" in plain text, with its first letter in capitals. */
export function plainWhatHappened(incident: Incident, detail?: { policy: LabelDetail; target: LabelDetail }, brief: Brevity = false): string {
  return capitalize(whatHappened(incident, plainStyle(detail), brief));
}

/** Attachments a POLICY_TYPE_DISABLED closure put back, and those that failed. */
export function attachmentCounts(actions: readonly RestoreAction[] | undefined): { restored: number; failed: number } {
  const attaches = (actions ?? []).filter((action) => action.call === 'AttachPolicy');
  return { restored: attaches.filter((action) => action.result !== 'failed').length, failed: attaches.filter((action) => action.result === 'failed').length };
}

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** The consequence of the opening notice, long and short, for a protected incident. */
export function openingWords(incident: Incident): { long: string; short: string } {
  const kind = wordsKind(incident);
  const words = remedyWords(incident);
  if (kind === Kind.POLICY_DELETED) return { long: words.doing, short: words.doingShort };
  if (kind === Kind.POLICY_CHANGED && restoresContent(incident) === false) return { long: NOT_RESTORED, short: NOT_RESTORED_SHORT };
  // A detachment has always said "reattaching" when it opens; the approval request follows at once.
  if (kind === Kind.DETACHED || kind === Kind.DRIFT || kind === undefined) return { long: words.doing, short: words.doingShort };
  if (incident.mode === Mode.APPROVAL) return { long: `awaiting approval to ${words.toDo}`, short: 'awaiting approval' };
  return { long: words.doing, short: words.doingShort };
}

/** What the restoration did, for RESTORED: "re-enabled on r-ab12 and 37 attachments restored". */
export function restoredWords(incident: Incident, closure: Pick<Closure, 'actions'>): { long: string; short: string } {
  const kind = wordsKind(incident);
  const words = remedyWords(incident);
  if (kind === Kind.POLICY_TYPE_DISABLED) {
    const { rootId } = disabledFacts(incident);
    const { restored, failed } = attachmentCounts(closure.actions);
    const failures = failed === 0 ? '' : `, ${failed} FAILED`;
    return {
      long: `re-enabled on ${rootId} and ${plural(restored, 'attachment')} restored${failures}`,
      short: `re-enabled, ${plural(restored, 'attachment')} restored${failures}`,
    };
  }
  if (kind === Kind.POLICY_CHANGED) return { long: words.done, short: 'content restored' };
  return { long: words.done, short: words.done };
}

/** POLICY_DELETED's closing words: how many targets it protected; its last known content follows. */
export function deletedWords(report: RestoreReport | undefined): { long: string; short: string } {
  const targets = report?.desiredTargets;
  const content = report?.lastKnownContent === undefined ? '' : '; its last known content is below';
  if (targets === undefined) return { long: `${remedyWords({ kind: Kind.POLICY_DELETED }).doing}${content}`, short: remedyWords({ kind: Kind.POLICY_DELETED }).doingShort };
  const protectedText = `it protected ${plural(targets.length, 'target')}`;
  return { long: `${protectedText}${content}`, short: protectedText };
}

/** Whether an incident is told at critical priority for its kind alone (a deleted protected policy). */
export function criticalByKind(incident: Incident): boolean {
  return wordsKind(incident) === Kind.POLICY_DELETED && incident.verdict === Verdict.PROTECTED;
}

const RESULT_WORD: Record<RestoreAction['result'], string> = { done: 'done', already: 'already so', failed: 'FAILED' };

/** One write of the restoration, in words: "AttachPolicy p-12345678 to ou-ab12-11111111: done". */
export function actionText(action: RestoreAction): string {
  const { call, policyId, targetId } = action;
  let what: string;
  switch (call) {
    case 'EnablePolicyType':
      what = `EnablePolicyType on ${targetId ?? 'the root'}`;
      break;
    case 'AttachPolicy':
      what = `AttachPolicy ${policyId ?? '?'} to ${targetId ?? '?'}`;
      break;
    case 'DetachPolicy':
      what = `DetachPolicy ${policyId ?? '?'} from ${targetId ?? '?'}`;
      break;
    case 'MoveAccount':
      what = `MoveAccount ${targetId ?? 'the account'}`;
      break;
    case 'UpdatePolicy':
      what = `UpdatePolicy ${policyId ?? '?'} to its last known content`;
      break;
    default:
      what = [call, policyId, targetId].filter((part) => part !== undefined).join(' ');
  }
  return `${what}: ${RESULT_WORD[action.result] ?? action.result}${action.detail ? ` (${action.detail})` : ''}`;
}

/** "3 actions: 2 done, 1 already so", the actions in one line. */
export function actionsSummary(actions: readonly RestoreAction[]): string {
  const counts = new Map<string, number>();
  for (const action of actions) counts.set(RESULT_WORD[action.result] ?? action.result, (counts.get(RESULT_WORD[action.result] ?? action.result) ?? 0) + 1);
  return `${plural(actions.length, 'action')}: ${[...counts].map(([word, count]) => `${count} ${word}`).join(', ')}`;
}

/** A policy's content as people read it: indented JSON when it parses, else as it is. */
export function readableContent(content: string): string {
  try {
    return JSON.stringify(JSON.parse(content), null, 2);
  } catch {
    return content;
  }
}

/**
 * The facts of the kind, each a label and a value in plain text, for the email body and `audit
 * show`. The surfaces add the actor, the rule and the outcome themselves.
 */
export function kindFacts(incident: Incident, report?: RestoreReport): [label: string, value: string | undefined][] {
  const facts: [string, string | undefined][] = [['Kind', incident.kind === undefined ? undefined : kindDescription(incident.kind, incident.driftOf)]];
  // An OU's label gives its name alone: the id goes beside it.
  const withId = (target: TargetRef) => `${targetRefLabel(target)}${target.id && target.name && (target.type ?? targetTypeOf(target.id)) === TargetType.ORGANIZATIONAL_UNIT ? ` [${target.id}]` : ''}`;
  switch (wordsKind(incident)) {
    case Kind.POLICY_TYPE_DISABLED: {
      const { type, types, rootId } = disabledFacts(incident);
      facts.push(['Policy type', `${type}: disabled on the root ${rootId}, which detached every ${policyTypeWord(type)} in the organization at once`]);
      facts.push(['Root', rootId]);
      if (incident.policy.id !== undefined) facts.push(['Protected', policyRefLabel(incident.policy)]);
      facts.push(['Restore', `EnablePolicyType on the root, then every protected attachment the desired state holds; FullAWSAccess, which re-enabling ${types} attaches everywhere, comes off again where it was not attached before`]);
      break;
    }
    case Kind.ACCOUNT_MOVED: {
      const { account, from, to } = moveFacts(incident);
      facts.push(['Account', withId(account)]);
      facts.push(['Moved from', targetRefLabel(from, 'names', true)]);
      facts.push(['Moved to', to.id === undefined ? undefined : targetRefLabel(to, 'names', true)]);
      facts.push(['Lost', incident.policy.id === undefined ? undefined : `${policyRefLabel(incident.policy)}, inherited from ${targetRefLabel(from)}`]);
      break;
    }
    case Kind.POLICY_CHANGED:
      facts.push(['Policy', policyRefLabel(incident.policy)]);
      facts.push(['Attached to', incident.target.id === undefined ? undefined : withId(incident.target)]);
      facts.push(['New name', incident.change?.name !== undefined && incident.change.name !== incident.policy.name ? incident.change.name : undefined]);
      facts.push(['New SHA-256', incident.change?.contentHash]);
      facts.push(['Restore', restoresContent(incident) === false ? NOT_RESTORED : undefined]);
      break;
    case Kind.POLICY_DELETED:
      facts.push(['Policy', policyRefLabel(incident.policy)]);
      facts.push(['Protected on', report?.desiredTargets === undefined ? undefined : report.desiredTargets.length === 0 ? 'no target' : report.desiredTargets.join(', ')]);
      facts.push(['Restore', 'none possible: a deleted policy cannot return under its id; create it again from the content below and update the rules']);
      break;
    case Kind.FORBIDDEN_ATTACHED:
      facts.push(['Policy', policyRefLabel(incident.policy)]);
      facts.push(['Attached to', withId(incident.target)]);
      facts.push(['Forbid rule', incident.forbid === undefined ? undefined : `forbid[${incident.forbid.index}] keeps it off${incident.forbid.description ? `: ${incident.forbid.description}` : ''}`]);
      break;
    default:
      facts.push(['What', policyRefLabel(incident.policy)]);
      facts.push(['From', withId(incident.target)]);
  }
  if (incident.drift !== undefined) facts.push(['Found by', `the sweep: ${incident.drift.reason}`]);
  return facts;
}

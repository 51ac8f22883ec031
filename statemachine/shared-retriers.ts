type Json = Record<string, unknown>;

/** Where the ASL file keeps the retriers its states share: a top-level block, not ASL. */
const SHARED_RETRIERS_KEY = '$defs';
/** How a Retry entry names a shared retrier: `{ "$ref": "#/$defs/NAME" }`. */
export const SHARED_RETRIER_REF = `#/${SHARED_RETRIERS_KEY}/`;
/** Notes for the reader of the file, dropped before deployment. */
const COMMENT_KEY = '$comment';
const REF_KEY = '$ref';

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The shared retriers by name. A Map, so a name such as `toString` or `__proto__` is only ever one written in `$defs`. */
type SharedRetriers = ReadonlyMap<string, Json>;

/**
 * The Retry entry Step Functions gets for one written in the file: a `$ref` becomes the shared
 * retrier it names, where a field written beside the `$ref` replaces that retrier's own (in
 * place, so the deployed text keeps its field order); it may tune the budget, never what the
 * retrier matches (ErrorEquals) nor add a field. `$comment`s are dropped.
 */
function expandRetrier(entry: Json, shared: SharedRetriers, where: string): Json {
  const { [COMMENT_KEY]: _comment, [REF_KEY]: ref, ...fields } = entry;
  if (ref === undefined) return fields;
  if (typeof ref !== 'string' || !ref.startsWith(SHARED_RETRIER_REF)) throw new Error(`${where}: ${REF_KEY} must be "${SHARED_RETRIER_REF}NAME", got ${JSON.stringify(ref)}`);
  const name = ref.slice(SHARED_RETRIER_REF.length);
  const retrier = shared.get(name);
  if (retrier === undefined) throw new Error(`${where}: ${ref} names no retrier of ${SHARED_RETRIERS_KEY}`);
  const refused = Object.keys(fields).filter((field) => field === 'ErrorEquals' || !Object.hasOwn(retrier, field));
  if (refused.length > 0) throw new Error(`${where}: beside ${REF_KEY} only ${name}'s fields but ErrorEquals may be set, not ${refused.join(', ')}`);
  return { ...structuredClone(retrier), ...fields };
}

function expandStates(states: Json, shared: SharedRetriers): void {
  for (const [name, state] of Object.entries(states)) {
    if (!isObject(state)) continue;
    if (Array.isArray(state.Retry)) state.Retry = state.Retry.map((entry: unknown, i) => (isObject(entry) ? expandRetrier(entry, shared, `${name}.Retry[${i}]`) : entry));
    const nested = [...(Array.isArray(state.Branches) ? state.Branches : []), state.Iterator, state.ItemProcessor];
    for (const machine of nested) if (isObject(machine) && isObject(machine.States)) expandStates(machine.States, shared);
  }
}

/**
 * The workflow as Step Functions runs it, from the ASL file as it is written: every Retry entry
 * `{ "$ref": "#/$defs/NAME" }` replaced by the retrier NAME of the top-level `$defs` block, and
 * `$defs` and every `$comment` dropped. The file keeps one definition of a retrier many states
 * share; the CDK and the local runner both load it through here. Throws on a `$ref` or
 * `$comment` anywhere else, so nothing of the notation reaches Step Functions.
 */
export function expandSharedRetriers(source: Json): Json {
  const { [SHARED_RETRIERS_KEY]: defs, [COMMENT_KEY]: _comment, ...definition } = structuredClone(source);
  const shared = new Map<string, Json>();
  for (const [name, retrier] of Object.entries(isObject(defs) ? defs : {})) {
    if (!isObject(retrier) || !Array.isArray(retrier.ErrorEquals)) throw new Error(`${SHARED_RETRIERS_KEY}.${name}: a shared retrier needs an ErrorEquals list`);
    const { [COMMENT_KEY]: _note, ...fields } = retrier;
    shared.set(name, fields);
  }
  if (isObject(definition.States)) expandStates(definition.States, shared);
  const left = [REF_KEY, COMMENT_KEY, SHARED_RETRIERS_KEY].filter((key) => JSON.stringify(definition).includes(JSON.stringify(key)));
  if (left.length > 0) throw new Error(`${left.join(', ')} may only be used in Retry entries and at the top of the ASL file`);
  return definition;
}

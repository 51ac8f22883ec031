import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventPathError, eventFiles, readEventFile } from '../../../local/event-files';

/** What `local --event` accepts: files, directories of *.json, and nothing it cannot name. */
describe('the paths given to replay', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'scp-guardian-events-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('replays a directory as its *.json files in name order, leaving other files out', () => {
    writeFileSync(join(dir, 'b.json'), '{}');
    writeFileSync(join(dir, 'a.json'), '{}');
    writeFileSync(join(dir, 'notes.txt'), 'not an event');

    expect(eventFiles([dir])).toEqual([join(dir, 'a.json'), join(dir, 'b.json')]);
  });

  it('names a path that does not exist, in words, not as a raw ENOENT', () => {
    const missing = join(dir, 'missing.json');

    expect(() => eventFiles([missing])).toThrow(new EventPathError(missing, 'no such file or directory'));
    expect(() => readEventFile(missing)).toThrow(`${missing}: no such file or directory`);
  });

  it('refuses a directory without any .json file, naming it', () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);

    expect(() => eventFiles([empty])).toThrow(`${empty}: a directory with no .json file in it`);
  });

  it('still replays a file that is not JSON, as it is (the workflow records it INVALID)', () => {
    const junk = join(dir, 'junk.json');
    writeFileSync(junk, 'not json at all');

    expect(readEventFile(junk)).toEqual([{ source: junk, envelope: 'not json at all' }]);
  });
});

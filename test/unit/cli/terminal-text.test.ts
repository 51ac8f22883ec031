import fc from 'fast-check';
import { wrap } from '../../../cli/terminal/text';

describe('wrap', () => {
  it('breaks at spaces, continuing under a hanging indent', () => {
    expect(wrap('SCP DenyLeaveOrganization (p-denyleave1) detached from the root r-a1b2', 40, '  what  ', '        ')).toEqual([
      '  what  SCP DenyLeaveOrganization',
      '        (p-denyleave1) detached from the',
      '        root r-a1b2',
    ]);
  });

  it('keeps the spacing inside a line, and the text\'s own indent', () => {
    expect(wrap('    "Effect":  "Deny"', 80)).toEqual(['    "Effect":  "Deny"']);
  });

  it('cuts a word longer than a line (an ARN) into pieces rather than overflow', () => {
    expect(wrap(`by ${'a'.repeat(25)}`, 12, '', '  ')).toEqual(['by', '  aaaaaaaaaa', '  aaaaaaaaaa', '  aaaaa']);
  });

  it('never makes a line wider than asked, and loses no word', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z:/-]{1,40}$/), { maxLength: 30 }), fc.integer({ min: 20, max: 120 }), (words, width) => {
        const lines = wrap(words.join(' '), width, '  ', '    ');

        expect(lines.every((line) => line.length <= width)).toBe(true);
        expect(lines.join('').replace(/ /g, '')).toBe(words.join(''));
      }),
    );
  });
});

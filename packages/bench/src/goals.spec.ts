import { goalLine } from './goals.js';

describe('goalLine', () => {
  it('writes `goal <what>: <figure> (target <target>): MET`', () => {
    expect(goalLine({ what: 'x (payment)', figure: '1', target: '≤ 2', met: true })).toBe(
      'goal x (payment): 1 (target ≤ 2): MET',
    );
  });

  it('writes NOT MET for a goal missed and for one not measured', () => {
    expect(goalLine({ what: 'x', figure: '3', target: '≤ 2', met: false })).toBe(
      'goal x: 3 (target ≤ 2): NOT MET',
    );
    expect(goalLine({ what: 'x', figure: 'n/a', target: '≤ 2', met: undefined })).toBe(
      'goal x: n/a (target ≤ 2): NOT MET',
    );
  });

  it('matches the one pattern every suite’s last lines follow', () => {
    const pattern = /^goal [^:]+: .+ \(target .+\): (MET|NOT MET)$/;
    expect(
      goalLine({ what: 'a, b', figure: '48.7/s = 0.97 N', target: 'within 5 % of N', met: true }),
    ).toMatch(pattern);
    expect(goalLine({ what: 'c', figure: 'n/a', target: '0', met: undefined })).toMatch(pattern);
  });
});

import { strict as assert } from 'node:assert';
import { FindingHold } from '../../src/core/live/findingHold';
import type { Finding } from '../../src/core/model/report';

const f = (key: string, severity: Finding['severity'] = 'warning'): Finding => ({
  id: key.split(':')[0],
  key,
  severity,
  title: key,
  detail: '',
  pids: [],
  evidence: {},
  remedies: [],
});

describe('FindingHold (live findings: stable order, no blinking)', () => {
  it('keeps the order findings first appeared in, within a severity; a critical one goes first', () => {
    const h = new FindingHold(30_000);
    assert.deepEqual(
      h.update([f('b:1'), f('a:1')], 0).map((x) => x.key),
      ['b:1', 'a:1'],
    );
    assert.deepEqual(
      h.update([f('a:1'), f('c:1'), f('b:1')], 1000).map((x) => x.key),
      ['b:1', 'a:1', 'c:1'],
      'no reshuffle when the rules order them differently',
    );
    assert.deepEqual(
      h.update([f('a:1'), f('c:1'), f('b:1'), f('z:1', 'critical')], 2000).map((x) => x.key),
      ['z:1', 'b:1', 'a:1', 'c:1'],
    );
  });

  it('a finding that stops firing is held for a while, then dropped; one it must not hold goes at once', () => {
    const h = new FindingHold(30_000);
    h.update([f('memory-pressure'), f('growing')], 0);
    const next = h.update([], 10_000, (x) => x.id === 'growing').map((x) => x.key);
    assert.deepEqual(next, ['memory-pressure']);
    assert.deepEqual(
      h.update([], 40_001).map((x) => x.key),
      [],
    );
  });
});

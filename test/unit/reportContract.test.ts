import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { contractExample, missingKeys } from './helpers/contract';
import { parseSnapshotFrames } from '../../src/core/parse/snapshotFrames';
import { buildReport } from '../../src/core/collect/snapshot';
import type { Host } from '../../src/core/host/host';

const fixture = readFileSync(join(__dirname, '..', 'fixtures', 'snapshot', 'debian-root.txt'), 'utf8');
const fakeHost = { name: 'fixture', via: 'local' } as Host;

describe('diagnose --json follows the report contract (docs/contracts/report.md)', () => {
  const contract = contractExample('report.md') as Record<string, unknown>;
  const report = buildReport(parseSnapshotFrames(fixture), fakeHost);

  it('has every field name of the contract, at every level present in a real snapshot', () => {
    // samples/growth/findings elements are checked by the analysis tests once they exist in a report.
    const missing = missingKeys(contract, JSON.parse(JSON.stringify(report)), '$', new Set(['$.samples']));
    assert.deepEqual(missing, []);
  });

  it('names the same top-level keys as the contract (samples only when sampled)', () => {
    const expected = Object.keys(contract)
      .filter((k) => k !== 'samples')
      .sort();
    assert.deepEqual(
      Object.keys(report)
        .filter((k) => expected.includes(k))
        .sort(),
      expected,
    );
  });

  it('has processes and a limited cgroup in this fixture, so element keys were really checked', () => {
    assert.ok(report.processes.filter((p) => p.rssKb !== null).length >= 5);
    assert.ok(report.cgroups.some((c) => c.path === '/oomlens-fixture' && c.limitKb === 65536 && c.version === 1));
  });
});

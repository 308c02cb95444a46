// Python's memory_profiler for real (Debian python3-memory-profiler) on a tiny script
// (test/fixtures/programs/mprof.py): its line-by-line output read as a leak report.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseLeakReport, firstUserFrame } from '../../src/core/parse/leaks';
import { ROOT, missingDependency } from './helpers';

const SCRIPT = join(ROOT, 'test', 'fixtures', 'programs', 'mprof.py');
/** mprof.py's `data = [0] * 5_000_000` line. */
const BIG_LINE = 11;

/** A python3 that can import memory_profiler: Debian's is /usr/bin/python3, which a PATH python (pyenv, venv) may hide. */
function pythonWithMemoryProfiler(): string | null {
  for (const py of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(py, ['-c', 'import memory_profiler'], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  return null;
}

describe('memory_profiler for real (Debian python3-memory-profiler)', function () {
  this.timeout(120000);

  it(`python3 -m memory_profiler mprof.py: the big list at mprof.py:${BIG_LINE} is the top site, about 38 MiB`, function () {
    const py = pythonWithMemoryProfiler();
    if (!py) missingDependency(this, 'memory_profiler is not installed (apt-get install -y python3-memory-profiler)');
    const r = spawnSync(py, ['-m', 'memory_profiler', SCRIPT], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const rep = parseLeakReport(r.stdout);
    assert.equal(rep.tool, 'memory-profiler', r.stdout);
    const top = rep.sites[0];
    assert.deepEqual([firstUserFrame(top)?.file, firstUserFrame(top)?.line], [SCRIPT, BIG_LINE], r.stdout);
    assert.equal(top.label, 'data = [0] * 5_000_000  # about 38 MiB of list slots');
    // 5,000,000 list slots of 8 bytes = 38.1 MiB; the process's memory may grow by a little more or less
    assert.ok(top.bytes > 30 * 1048576 && top.bytes < 48 * 1048576, String(top.bytes));
    // `del tmp` gives memory back: a negative increment, never a site
    assert.ok(!rep.sites.some((s) => firstUserFrame(s)?.line === 13), r.stdout);
  });
});

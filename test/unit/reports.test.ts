import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSnapshotFrames } from '../../src/core/parse/snapshotFrames';
import { buildReport } from '../../src/core/collect/snapshot';
import { renderMarkdown } from '../../src/core/report/markdown';
import { renderHtml } from '../../src/core/report/html';
import { renderText } from '../../src/core/report/text';
import type { Host } from '../../src/core/host/host';
import type { Report } from '../../src/core/model/report';

const fixture = readFileSync(join(__dirname, '..', 'fixtures', 'snapshot', 'debian-root.txt'), 'utf8');
function report(): Report {
  const r = buildReport(parseSnapshotFrames(fixture), { name: 'fixture', via: 'ssh' } as Host);
  r.host.name = 'web|1';
  r.findings.push({
    id: 'low-available',
    severity: 'critical',
    title: 'MemAvailable is 4% of RAM',
    detail: 'Only 1.0Gi of 23.5Gi is available.',
    pids: [],
    evidence: { availableKb: 1048576 },
    remedies: [{ title: 'Add swap', commands: ['sudo fallocate -l 2G /swapfile', 'sudo swapon /swapfile'], changesHost: true }],
  });
  return r;
}

describe('report renderers', () => {
  it('Markdown: verdict first, findings with their exact commands, tables escaped', () => {
    const md = renderMarkdown(report());
    assert.match(md, /^# OOM Lens report: web\\\|1$/m);
    assert.match(md, /\*\*Verdict:\*\* MemAvailable is 4% of RAM$/m);
    assert.match(md, /### CRITICAL: MemAvailable is 4% of RAM \(`low-available`\)/);
    assert.match(md, /\(changes the host: review before running\)/);
    assert.ok(md.includes('  sudo fallocate -l 2G /swapfile\n  sudo swapon /swapfile'));
    assert.ok(md.indexOf('## Findings') < md.indexOf('## OOM kills') && md.indexOf('## OOM kills') < md.indexOf('## Memory now'));
    for (const line of md.split('\n').filter((l) => l.startsWith('| '))) assert.ok(line.endsWith(' |'), line);
  });

  it('HTML: self-contained, the report embedded so that </script> in host data cannot break out', () => {
    const r = report();
    r.processes[0].cmdline = '</script><script>alert(1)</script>';
    const html = renderHtml(r, { script: 'console.log("panel")', css: 'body{}' });
    assert.equal((html.match(/<\/script>/g) ?? []).length, 2, 'only the two real script elements close');
    const json = /<script type="application\/json" id="oom-lens-report">(.*?)<\/script>/s.exec(html)![1];
    assert.equal(JSON.parse(json).processes[0].cmdline, '</script><script>alert(1)</script>');
    assert.ok(!/(src|href)="(https?:)?\/\//.test(html), 'no external resources');
    assert.match(html, /<title>OOM Lens report: web\|1 at /);
  });

  it('text: the free -h header and the top processes', () => {
    const t = renderText(report(), { top: 3 });
    assert.match(t, /^\s+total\s+used\s+free\s+shared\s+buff\/cache\s+available$/m);
    assert.match(t, /^Top 3 of \d+ processes by RSS:$/m);
    assert.match(t, /\[critical\] low-available: MemAvailable is 4% of RAM/);
  });
});

// The kernel-log script's syslog branch for real (sh, grep, gzip on this machine): a messages file
// and its rotated .gz hold every program's lines; the kernel's and the userspace OOM killers' are
// kept, the rest dropped. The script's /var/log paths point at a temp folder (the only change).
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readKernelLog } from '../../src/core/collect/kernelLog';
import { rewritingLocalHost } from './helpers';

describe('syslog files: the kernel and the userspace OOM killers kept (real sh, grep, gzip)', () => {
  it("messages and messages.1.gz: the kernel kill, the earlyoom kill and the nohang kill are read; other programs' lines are not", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oomlens-syslog-'));
    try {
      writeFileSync(
        join(dir, 'messages'),
        [
          'Nov 24 15:58:19 web-1 sshd[700]: Accepted publickey for root: the word Killed process here is not the kernel',
          'Nov 24 15:58:20 web-1 earlyoom[812]: low memory! at or below SIGTERM limits: mem 10.00%, swap 10.00%',
          'Nov 24 15:58:20 web-1 earlyoom[812]: sending SIGTERM to process 4321 uid 1000 "firefox": badness 700, VmRSS 2100 MiB',
          'Nov 24 15:58:21 web-1 earlyoom[812]: process exited after 0.3 seconds',
          'Nov 24 16:00:00 web-1 kernel: [ 5000.000000] Out of memory: Killed process 999 (java) total-vm:4000kB, anon-rss:400kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:40kB oom_score_adj:0',
          '',
        ].join('\n'),
      );
      writeFileSync(
        join(dir, 'messages.1.gz'),
        gzipSync(
          [
            'Nov 23 10:00:00 web-1 nohang[530]: Implementing a corrective action:',
            'Nov 23 10:00:00 web-1 nohang[530]:   Sending SIGTERM to the victim',
            'Nov 23 10:00:00 web-1 cron[1]: (root) CMD (Sending SIGTERM to the victim, says a script)',
            '',
          ].join('\n'),
        ),
      );
      // the script's /var/log/ paths point at the test's folder
      const host = rewritingLocalHost('relocated', (c, o) => [c, { ...o, stdin: o.stdin?.replaceAll('/var/log/', `${dir}/`) }]);
      const r = await readKernelLog(host, { filesOnly: true });
      assert.deepEqual(
        r.events.map((e) => [e.kind, e.userspace?.killer ?? null, e.victim?.pid ?? null]).sort(),
        [
          ['kill', null, 999],
          ['userspace-kill', 'earlyoom', 4321],
          ['userspace-kill', 'nohang', null],
        ],
        JSON.stringify(r.sources),
      );
      assert.deepEqual(
        r.sources.map((s) => [s.path?.replace(dir, ''), s.lines]),
        [
          ['/messages', 4],
          ['/messages.1.gz', 2],
        ],
        "only the kernel's and the OOM killers' lines are kept (sshd and cron dropped)",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// core/act: typed host-changing actions. Inputs are checked (nothing is built from a bad one), the
// commands are exact, and the same action renders for a person (sudo), for root and for sudo -n.
import { strict as assert } from 'node:assert';
import { ActionInputError, renderSteps } from '../../src/core/act/action';
import {
  addSwapAction,
  cgroupLimitAction,
  containerLimitAction,
  dropCachesAction,
  killAction,
  oomScoreAdjAction,
  sysctlAction,
  unitMemoryAction,
  unitOomScoreAdjustAction,
} from '../../src/core/act/actions';
import { checkAction } from '../../src/core/act/checks';
import { FakeHost } from './fakeHost';

describe('core/act: typed actions', () => {
  it('renders the exact commands for copy, as root, and through sudo -n', () => {
    const a = oomScoreAdjAction(900, -500, 0, 'postgres');
    assert.equal(a.title, 'Set oom_score_adj of postgres (900) to -500');
    assert.deepEqual(renderSteps(a.steps), ['echo -500 | sudo tee /proc/900/oom_score_adj']);
    assert.deepEqual(renderSteps(a.steps, 'root'), ['echo -500 | tee /proc/900/oom_score_adj']);
    assert.deepEqual(renderSteps(a.steps, 'sudo'), ['echo -500 | sudo -n tee /proc/900/oom_score_adj']);
    assert.deepEqual(renderSteps(a.undo!, 'root'), ['echo 0 | tee /proc/900/oom_score_adj']);
    assert.deepEqual(renderSteps(a.read), ['cat /proc/900/oom_score_adj', 'cat /proc/900/oom_score']);
  });

  it('knows what can be undone: a kill and drop_caches cannot; swap, drop-ins, sysctl and limits can', () => {
    assert.equal(killAction(42, 'x').undo, null);
    assert.equal(dropCachesAction().undo, null);
    assert.deepEqual(renderSteps(addSwapAction(2048, '/swapfile', true).undo!), [
      'sudo swapoff /swapfile',
      'sudo rm -f /swapfile',
      "sudo sed -i '\\#^/swapfile none swap sw 0 0$#d' /etc/fstab",
    ]);
    assert.deepEqual(
      renderSteps(unitOomScoreAdjustAction('app.service', -500).undo!),
      ['sudo rm -f /etc/systemd/system/app.service.d/90-oom-lens.conf', 'sudo systemctl daemon-reload'],
      'only our own drop-in, never systemctl revert',
    );
    assert.deepEqual(renderSteps(sysctlAction('vm.swappiness', 10, 60).undo!), ['sudo sysctl -w vm.swappiness=60']);
    assert.deepEqual(renderSteps(cgroupLimitAction('/ux', 2, '72M', 'max').undo!), ['echo max | sudo tee /sys/fs/cgroup/ux/memory.max']);
    assert.equal(containerLimitAction('docker', 'abc123', '512m').needsRoot, false);
    assert.deepEqual(renderSteps(unitMemoryAction('app.service', 'MemoryMax', '1G', true).steps), [
      'sudo systemctl set-property --runtime app.service MemoryMax=1G',
    ]);
  });

  it('a drop-in is written with its exact content', () => {
    assert.deepEqual(renderSteps(unitOomScoreAdjustAction('postgresql@15-main.service', -500, false).steps), [
      'sudo mkdir -p /etc/systemd/system/postgresql@15-main.service.d',
      "printf '[Service]\\nOOMScoreAdjust=-500\\n' | sudo tee /etc/systemd/system/postgresql@15-main.service.d/90-oom-lens.conf",
      'sudo systemctl daemon-reload',
    ]);
  });

  it('refuses bad input before anything is built', () => {
    const bad: [string, () => unknown][] = [
      ['pid 1', () => killAction(1, 'init')],
      ['pid 0', () => killAction(0, null)],
      ['a negative pid', () => oomScoreAdjAction(-5, 0)],
      ['a fractional pid', () => killAction(3.5, null)],
      ['a signal we do not send', () => killAction(5, null, 'STOP' as never)],
      ['oom_score_adj out of range', () => oomScoreAdjAction(5, -1001)],
      ['a negative swap size', () => addSwapAction(-2048)],
      ['a relative swap path', () => addSwapAction(2048, 'swapfile')],
      ['a swap path with shell characters', () => addSwapAction(2048, '/tmp/x; rm -rf /')],
      ['a unit with shell characters', () => unitOomScoreAdjustAction('app.service; reboot', -500)],
      ['a sysctl not on the list', () => sysctlAction('kernel.panic', 1)],
      ['a cgroup path with ..', () => cgroupLimitAction('/a/../b', 2, '64M')],
      ['a limit that is not a size', () => cgroupLimitAction('/a', 2, '64M; reboot')],
      ['a container id with spaces', () => containerLimitAction('docker', 'a b', '512m')],
    ];
    for (const [what, f] of bad) assert.throws(f, ActionInputError, what);
  });
});

describe('core/act: checks adapt the action to the host', () => {
  const answer =
    (fs: string, avail = 50_000_000) =>
    (cmd: string) =>
      cmd.includes('stat -f') ? { stdout: `fs=${fs}\n/dev/x 100000000 1000 ${avail} 1% /\n` } : {};

  it('writes the swap file with fallocate on ext4 and xfs, with dd elsewhere (btrfs, f2fs, unknown)', async () => {
    for (const [fs, fill] of [
      ['ext2/ext3', 'fallocate'],
      ['xfs', 'fallocate'],
      ['btrfs', 'dd'],
      ['f2fs', 'dd'],
      ['', 'dd'],
    ] as const) {
      const c = await checkAction(new FakeHost(answer(fs)), addSwapAction(2048, '/swapfile', false));
      assert.equal(c.refuse, null, fs);
      assert.match(
        renderSteps(c.action.steps, 'root')[0],
        fill === 'dd' ? /^dd if=\/dev\/zero of=\/swapfile bs=1M count=2048 status=none$/ : /^fallocate -l 2G \/swapfile$/,
        fs,
      );
      assert.equal(
        c.warnings.some((w) => /written with dd/.test(w)),
        fill === 'dd',
        fs,
      );
    }
  });

  it('refuses a swap file on tmpfs, NFS or overlay, and one bigger than the free disk', async () => {
    for (const fs of ['tmpfs', 'nfs', 'overlayfs']) {
      const c = await checkAction(new FakeHost(answer(fs)), addSwapAction(2048, '/dev/shm/swap', false));
      assert.match(c.refuse ?? '', new RegExp(`is on ${fs}: a swap file cannot live there`));
    }
    const full = await checkAction(new FakeHost(answer('ext2/ext3', 1024 * 1024)), addSwapAction(2048, '/swapfile', false));
    assert.match(full.refuse ?? '', /not enough for a 2 GiB swap file/);
  });

  it('refuses oom_score_adj -1000 for a process that is not one of the usual daemons', async () => {
    const host = new FakeHost((cmd) =>
      cmd.startsWith('cd /proc/4242') ? { stdout: 'Name:\tnode\nNSpid:\t4242\nVmRSS:\t 1000 kB\nUid:\t0\t0\t0\t0\n@@cg\n0::/\n@@cmd\nnode app.js\n' } : {},
    );
    const c = await checkAction(host, oomScoreAdjAction(4242, -1000, 0, 'node'));
    assert.ok(c.refuse, 'a random process got -1000');
  });
});

// The remedies of the domain guide (docs/oom-guide.txt), with its exact commands. changesHost is
// true for anything that modifies the host (kill, sysctl, swap, drop_caches, oom_score_adj,
// systemd units, container limits); reading commands and profiler launches are false.
// Only integers (pids) and checked words (unit names, container ids) are put into commands.
import type { Remedy } from '../../model/report';
import { pidArg, safePath, safeWord } from './context';
import { renderSteps, ActionInputError, type Action } from '../../act/action';
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
} from '../../act/actions';

/**
 * A remedy that changes the host is rendered from its action (core/act/), so the commands shown
 * and what "Fix…" runs are the same. Inputs that do not pass the action's checks (no pid, a name
 * with odd characters) get the placeholder text instead, and no action.
 */
function fromActions(title: string, build: () => Action[], placeholder: () => string[]): Remedy {
  try {
    const actions = build();
    return { title, commands: actions.flatMap((a) => renderSteps(a.steps)), changesHost: true, actions };
  } catch (e) {
    if (!(e instanceof ActionInputError)) throw e;
    return { title, commands: placeholder(), changesHost: true };
  }
}

export const findOomInLogs = (): Remedy => ({
  title: 'Find the OOM kills in the kernel log',
  commands: ['journalctl -k | grep -i -E "killed process|out of memory"', 'dmesg | grep -i oom'],
  changesHost: false,
});

export const lookAtMemory = (): Remedy => ({
  title: 'Look at the memory picture and the top processes',
  commands: ['free -h', 'ps aux --sort=-%mem | head -10', 'smem -t -p'],
  changesHost: false,
});

export const killProcess = (
  pid: number | null,
  comm: string | null = null,
  title = 'Stop the memory hog now: try a regular kill first; -9 (SIGKILL) is a blunt instrument',
  withKill9 = true,
): Remedy =>
  fromActions(
    title,
    () => [killAction(pid ?? 0, comm, 'TERM'), ...(withKill9 ? [killAction(pid ?? 0, comm, 'KILL')] : [])],
    () => [`sudo kill ${pidArg(pid)}`, ...(withKill9 ? [`sudo kill -9 ${pidArg(pid)}`] : [])],
  );

export const dropCaches = (): Remedy =>
  fromActions(
    'Clear the page cache, dentries and inodes (safe: the kernel repopulates them; not too often, not on production without understanding it)',
    () => [dropCachesAction()],
    () => [],
  );

export const addSwapFile = (): Remedy => {
  const r = fromActions(
    'Add a 2 GB swap file as a safety cushion (then check with free -h)',
    () => [addSwapAction(2048)],
    () => [],
  );
  return { ...r, commands: [...r.commands, 'free -h'] };
};

export const viewOomScore = (pid: number | null): Remedy => ({
  title: 'See how likely the OOM killer is to pick it (0–1000, higher goes first)',
  commands: [`cat /proc/${pidArg(pid)}/oom_score`, `cat /proc/${pidArg(pid)}/oom_score_adj`],
  changesHost: false,
});

/** Writes through tee: "sudo echo -500 > /proc/PID/oom_score_adj" (as the guide prints it) fails, since the redirection runs unprivileged. */
export const setOomScoreAdj = (pid: number | null, value: number, previous: number | null = null): Remedy =>
  fromActions(
    `Set oom_score_adj ${value} for pid ${pidArg(pid)} now (lost when it restarts)`,
    () => [oomScoreAdjAction(pid ?? 0, value, previous)],
    () => [`echo ${value} | sudo tee /proc/${pidArg(pid)}/oom_score_adj`],
  );

/** The guide's permanent setting: [Service] OOMScoreAdjust= in the unit, as a drop-in of our own. */
export const unitOomScoreAdjust = (unit: string | null, value: number): Remedy => {
  const u = safeWord(unit, '<service>.service');
  return fromActions(
    `Make it permanent in the systemd unit: [Service] OOMScoreAdjust=${value} (here as a drop-in next to /etc/systemd/system/${u})`,
    () => [unitOomScoreAdjustAction(unit ?? '', value)],
    () => [
      `sudo mkdir -p /etc/systemd/system/${u}.d`,
      `printf '[Service]\\nOOMScoreAdjust=${value}\\n' | sudo tee /etc/systemd/system/${u}.d/90-oom-lens.conf`,
      'sudo systemctl daemon-reload',
      `sudo systemctl restart ${u}`,
    ],
  );
};

/** sysctl settings now and kept across reboots (in /etc/sysctl.d/90-oom-lens.conf). */
export const sysctl = (title: string, settings: [string, number][]): Remedy =>
  fromActions(
    title,
    () => settings.map(([k, v]) => sysctlAction(k, v, null, true)),
    () => settings.map(([k, v]) => `sudo sysctl -w ${k}=${v}`),
  );

export const strictOvercommit = (): Remedy =>
  sysctl('Switch to "no overcommit" (mode 2): allocations fail with "Cannot allocate memory" before the OOM killer has to act (easier to debug)', [
    ['vm.overcommit_memory', 2],
    ['vm.overcommit_ratio', 100],
  ]);

export const dockerStats = (id: string | null): Remedy => ({
  title: "See the containers' memory use and OOM messages",
  commands: ['docker stats --no-stream', `docker logs ${safeWord(id, '<container_id>')} 2>&1 | grep -i oom`],
  changesHost: false,
});

export const kubectlDescribe = (pod: string | null, namespace: string | null = null): Remedy => ({
  title: 'See the OOM event of the pod (Last State: OOMKilled)',
  commands: [`kubectl describe pod ${safeWord(pod, '<pod_name>')}${namespace && safeWord(namespace, '') ? ` -n ${namespace}` : ''}`],
  changesHost: false,
});

/**
 * Sets a container/service memory limit: docker --memory/--memory-swap, Kubernetes
 * resources.limits.memory, systemd MemoryMax; a plain cgroup (no container, no unit) gets its own
 * control file (v2 memory.max, v1 memory.limit_in_bytes) when its path is known.
 */
export const setContainerLimit = (
  runtime: string | null,
  id: string | null,
  limit: string,
  k8sLimit: string,
  unit: string | null,
  raise = false,
  cgroup: { path: string; version: 1 | 2 } | null = null,
): Remedy[] => {
  const out: Remedy[] = [];
  const verb = raise ? `Raise the memory limit to ${limit}` : `Give it a memory limit of ${limit}`;
  if (runtime === null && cgroup) {
    const path = safePath(cgroup.path.replace(/^\/+/, ''), '<cgroup>');
    out.push(
      fromActions(
        `${verb}: the cgroup is not a container or service, so write its control file (whatever created it may reset it)`,
        () => [cgroupLimitAction(path, cgroup.version, limit.toUpperCase())],
        () => [
          cgroup.version === 2
            ? `echo ${limit.toUpperCase()} | sudo tee /sys/fs/cgroup/${path}/memory.max`
            : `echo ${limit.toUpperCase()} | sudo tee /sys/fs/cgroup/memory/${path}/memory.limit_in_bytes`,
        ],
      ),
    );
    return out;
  }
  if (runtime === 'docker' || runtime === 'podman' || runtime === null) {
    const cli = runtime === 'podman' ? 'podman' : 'docker';
    const now = fromActions(
      `${verb} (--memory, --memory-swap): now with ${cli} update, and in its run/compose options`,
      () => [containerLimitAction(cli, id ?? '', limit)],
      () => [`${cli} update --memory ${limit} --memory-swap ${limit} ${safeWord(id, '<container_id>')}`],
    );
    out.push({ ...now, commands: [...now.commands, `${cli} run --memory=${limit} --memory-swap=${limit} <image>`] });
  }
  if (runtime === 'kubernetes' || runtime === null) {
    out.push({
      title: `${verb}: resources.limits.memory (and requests) on the pod's container, in its manifest or:`,
      // It changes a deployment, not this host: shown to copy, never run from here (no actions).
      commands: [
        `kubectl set resources deployment/<deployment> --requests=memory=${k8sLimit} --limits=memory=${k8sLimit}`,
        '# or in the manifest, under the container:',
        '#   resources:',
        `#     requests: { memory: ${k8sLimit} }`,
        `#     limits: { memory: ${k8sLimit} }`,
      ],
      changesHost: true,
    });
  }
  if (runtime === 'systemd' || runtime === 'lxc') {
    const u = safeWord(unit, '<unit>');
    if (runtime === 'lxc') {
      out.push({
        title: `${verb} (lxc.cgroup2.memory.max in the container's config to keep it)`,
        commands: [`sudo lxc-cgroup -n ${safeWord(id, '<container>')} memory.max ${limit.toUpperCase()}`],
        changesHost: true,
      });
    } else {
      out.push(
        fromActions(
          `${verb} (MemoryMax= on the service)`,
          () => [unitMemoryAction(unit ?? '', 'MemoryMax', limit.toUpperCase())],
          () => [`sudo systemctl set-property ${u} MemoryMax=${limit.toUpperCase()}`],
        ),
      );
    }
  }
  return out;
};

// nginx-workers / apache-workers: a web server's workers × their memory (PSS when known, since
// workers share most pages with their master; RSS over-counts). Information when it runs; warning
// when the workers take >= 25 % of their memory limit (or RAM), or >= 10 % while memory is tight.
// worker_connections / MaxRequestWorkers are in the config, which is not read: the remedies show
// where to look.
import { maxOf } from '../../model/numbers';
import { formatKb, formatPercent } from '../../format';
import type { Finding, ProcessInfo, Remedy } from '../../model/report';
import { type FindingContext, effectiveLimit, memoryTight, userProcesses } from './context';

interface Server {
  id: 'nginx-workers' | 'apache-workers';
  name: string;
  comm: RegExp;
  isWorker: (p: ProcessInfo, byPid: Map<number, ProcessInfo>) => boolean;
  remedies: (workers: number) => Remedy[];
}

const sameFamilyParent = (p: ProcessInfo, byPid: Map<number, ProcessInfo>, re: RegExp) => {
  const parent = p.ppid != null ? byPid.get(p.ppid) : undefined;
  return !!parent && re.test(parent.comm);
};

const SERVERS: Server[] = [
  {
    id: 'nginx-workers',
    name: 'nginx',
    comm: /^nginx$/,
    isWorker: (p, byPid) =>
      /nginx: worker process/.test(p.cmdline ?? '') || (!/nginx: (master|cache)/.test(p.cmdline ?? '') && sameFamilyParent(p, byPid, /^nginx$/)),
    remedies: (n) => [
      {
        title: 'See worker_processes and worker_connections (memory ≈ workers × (base + connections × buffers))',
        commands: ['sudo nginx -T 2>/dev/null | grep -E "worker_processes|worker_connections"'],
        changesHost: false,
      },
      {
        title: `Tune worker_processes (now ${n}; "auto" = one per CPU) and worker_connections in /etc/nginx/nginx.conf, then reload`,
        commands: ['sudoedit /etc/nginx/nginx.conf', 'sudo nginx -t', 'sudo systemctl reload nginx'],
        changesHost: true,
      },
    ],
  },
  {
    id: 'apache-workers',
    name: 'Apache',
    comm: /^(apache2|httpd)$/,
    isWorker: (p, byPid) => sameFamilyParent(p, byPid, /^(apache2|httpd)$/),
    remedies: (n) => [
      {
        title: 'See the MPM and its worker limits',
        commands: ['apachectl -V | grep -i mpm', 'grep -riE "MaxRequestWorkers|ServerLimit|ThreadsPerChild" /etc/apache2/ /etc/httpd/ 2>/dev/null'],
        changesHost: false,
      },
      {
        title: `Lower MaxRequestWorkers to what the memory holds (now ${n} processes), then reload`,
        commands: ['sudo apachectl configtest', 'sudo systemctl reload apache2 || sudo systemctl reload httpd'],
        changesHost: true,
      },
    ],
  },
];

function rule(s: Server) {
  return (ctx: FindingContext): Finding[] => {
    const r = ctx.report;
    const procs = userProcesses(r);
    const family = procs.filter((p) => s.comm.test(p.comm));
    if (!family.length) return [];
    const byPid = new Map(procs.map((p) => [p.pid, p]));
    const workers = family.filter((p) => s.isWorker(p, byPid));
    if (!workers.length) return [];
    const master = family.find((p) => !workers.includes(p)) ?? workers[0];
    const havePss = workers.every((p) => p.pssKb != null);
    const each = (p: ProcessInfo) => (havePss ? p.pssKb : p.rssKb) ?? 0;
    const totalKb = workers.reduce((a, p) => a + each(p), 0);
    const maxKb = maxOf(workers.map(each));
    const avgKb = totalKb / workers.length;
    const lim = effectiveLimit(master, r);
    const limitKb = lim?.limitKb ?? null;
    const share = limitKb ? totalKb / limitKb : 0;
    const warn = share >= 0.25 || (memoryTight(r) && (r.memory.totalKb ? totalKb / r.memory.totalKb : 0) >= 0.1);
    return [
      {
        id: s.id,
        severity: warn ? 'warning' : 'info',
        title: `${s.name}: ${workers.length} worker${workers.length === 1 ? '' : 's'} × ${formatKb(avgKb)} = ${formatKb(totalKb)} ${havePss ? 'PSS' : 'RSS'}${limitKb ? ` (${formatPercent(totalKb, limitKb)} of ${lim!.source === 'cgroup' ? 'its cgroup limit' : 'RAM'})` : ''}`,
        detail: `${workers.length} worker processes, ${formatKb(avgKb)} each on average (largest ${formatKb(maxKb)}). ${havePss ? 'PSS splits the pages workers share with the master fairly.' : 'RSS counts the pages the workers share with the master in every worker, so the real total is lower.'} Worker memory grows with connections and buffers: more workers or connections than the memory holds is a common misconfiguration.${warn ? ' They take a large share of the memory here.' : ''}`,
        pids: workers.map((p) => p.pid),
        evidence: {
          workers: workers.length,
          master: master.pid,
          totalKb,
          avgKb: Math.round(avgKb),
          maxKb,
          measure: havePss ? 'pssKb' : 'rssKb',
          limitKb,
          limitSource: lim?.source ?? null,
          share: Math.round(share * 1000) / 1000,
        },
        remedies: s.remedies(workers.length),
      },
    ];
  };
}

export const nginxWorkers = rule(SERVERS[0]);
export const apacheWorkers = rule(SERVERS[1]);

// What every rule gets, and the small helpers the rules share. Rules are pure: (ctx) => Finding[].
import type { CgroupInfo, Finding, ProcessInfo, Report, Severity } from '../../model/report';
import type { SystemSeries } from '../series';
import type { GrowthDetail } from '../growth';

export interface FindingContext {
  report: Report;
  /** "Now" for ages and projections, epoch ms (default: report.takenAt). */
  now?: number;
  /** The host series the report's growth came from, when sampled (slab/shmem trends). */
  system?: SystemSeries;
}

export type Rule = (ctx: FindingContext) => Finding[];

export const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

/** A size for command lines: "512m", "2g" (docker/java style, rounded up to a whole MiB/GiB). */
export function sizeArg(kbValue: number, style: 'docker' | 'java' | 'k8s' = 'docker'): string {
  const mib = Math.max(1, Math.ceil(kbValue / 1024));
  if (style === 'k8s') return mib % 1024 === 0 ? `${mib / 1024}Gi` : `${mib}Mi`;
  return mib % 1024 === 0 ? `${mib / 1024}g` : `${mib}m`;
}

/** Rounds a kB size up to a "nice" value (multiple of 64 MiB below 1 GiB, 256 MiB above). */
export function niceKb(kbValue: number): number {
  const step = kbValue < 1024 * 1024 ? 64 * 1024 : 256 * 1024;
  return Math.max(step, Math.ceil(kbValue / step) * step);
}

export function nowMs(ctx: FindingContext): number {
  if (ctx.now !== undefined && Number.isFinite(ctx.now)) return ctx.now;
  const t = Date.parse(ctx.report.takenAt);
  return Number.isFinite(t) ? t : Date.now();
}

/** Processes that use memory (kernel threads have no RSS). */
export function userProcesses(r: Report): ProcessInfo[] {
  return (r.processes ?? []).filter((p) => p && p.rssKb != null);
}

/** A process's identity for finding keys: pid and start time (a reused pid is another process). */
export function procKey(p: { pid: number; start?: number | null; comm?: string | null }): string {
  return `${p.pid}@${p.start ?? p.comm ?? ''}`;
}

export function processLabel(p: { comm: string | null; pid: number | null }): string {
  return `${p.comm ?? '?'} (${p.pid ?? '?'})`;
}

/** The memory-limited cgroups this cgroup path is in (itself and ancestors), nearest first. */
export function limitsOf(path: string | null | undefined, cgroups: CgroupInfo[] | undefined): CgroupInfo[] {
  if (!path || !cgroups?.length) return [];
  return cgroups
    .filter((c) => c.limitKb != null && (c.path === path || c.path === '/' || path.startsWith(c.path.endsWith('/') ? c.path : c.path + '/')))
    .sort((a, b) => b.path.length - a.path.length);
}

/** The tightest limit over a process: its memory cgroup (or an ancestor) if limited, else MemTotal. */
export function effectiveLimit(p: ProcessInfo, r: Report): { limitKb: number; source: 'cgroup' | 'MemTotal'; cgroup: string | null } | null {
  const lim = limitsOf(p.cgroup, r.cgroups);
  let best: CgroupInfo | null = null;
  for (const c of lim) if (!best || (c.limitKb as number) < (best.limitKb as number)) best = c;
  const total = r.memory?.totalKb ?? null;
  if (best && (total === null || (best.limitKb as number) < total)) return { limitKb: best.limitKb as number, source: 'cgroup', cgroup: best.path };
  if (total !== null && total > 0) return { limitKb: total, source: 'MemTotal', cgroup: null };
  return null;
}

/** MemAvailable as a fraction of MemTotal, or null. */
export function availableFraction(r: Report): number | null {
  const { availableKb, totalKb } = r.memory ?? ({} as Report['memory']);
  if (availableKb == null || !totalKb) return null;
  return availableKb / totalKb;
}

/** Memory is tight now: MemAvailable < 15 % (the alert threshold of the guide). */
export function memoryTight(r: Report): boolean {
  const f = availableFraction(r);
  return f !== null && f < 0.15;
}

/** An OOM kill is known: an event, a vmstat count or a cgroup oom_kill counter. */
export function oomHappened(r: Report): boolean {
  return (r.events ?? []).some((e) => e.kind !== 'runtime') || (r.oomKillsSinceBoot ?? 0) > 0 || (r.cgroups ?? []).some((c) => (c.oomKills ?? 0) > 0);
}

/** The systemd service a cgroup path names (scopes are not units one can edit and restart) ("/system.slice/postgresql@14-main.service" -> "postgresql@14-main.service"). */
export function unitOf(cgroup: string | null | undefined): string | null {
  if (!cgroup) return null;
  const parts = cgroup.split('/').filter(Boolean);
  for (let i = parts.length - 1; i >= 0; i--) if (/\.service$/.test(parts[i])) return parts[i];
  return null;
}

export function growthOf(r: Report): GrowthDetail[] {
  return (r.growth ?? []) as GrowthDetail[];
}

/** Sum, ignoring nulls. */
export function sum(values: (number | null | undefined)[]): number {
  let s = 0;
  for (const v of values) if (v != null && Number.isFinite(v)) s += v;
  return s;
}

// The shell-safe helpers live beside shQuote; the rules use them through here too.
export { pidArg, safePath, safeWord } from '../../shell';

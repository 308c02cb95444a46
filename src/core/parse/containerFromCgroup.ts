// Which container (or systemd unit) a cgroup path belongs to: docker, kubepods (QoS class, pod UID),
// libpod/podman, lxc, systemd units. Works on memcg paths from the kernel log and /proc/PID/cgroup.
import type { EventContainer } from '../model/oomEvent';

export interface CgroupContainer {
  runtime: 'docker' | 'kubernetes' | 'podman' | 'lxc' | 'systemd' | 'other';
  id: string | null;
  name: string | null;
  podUid: string | null;
  qosClass: string | null;
}

const HEX_ID = /(?:^|[-/_])(?:docker|cri-containerd|crio|containerd|libpod|conmon)?-?([0-9a-f]{64})(?:\.scope)?$/;

export function containerFromCgroup(path: string | null | undefined): CgroupContainer | null {
  if (!path) return null;
  const p = path.trim();
  if (p === '' || p === '/') return null;
  const segments = p.split('/').filter(Boolean);
  const last = segments[segments.length - 1] ?? '';

  if (/kubepods/.test(p)) {
    let qos: string | null = 'guaranteed';
    if (/besteffort/i.test(p)) qos = 'besteffort';
    else if (/burstable/i.test(p)) qos = 'burstable';
    let podUid: string | null = null;
    const pod = /pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})/i.exec(p);
    if (pod) podUid = pod[1].replace(/_/g, '-');
    const id = HEX_ID.exec(last)?.[1] ?? null;
    return { runtime: 'kubernetes', id, name: null, podUid, qosClass: qos };
  }
  if (/libpod/.test(p)) {
    const m = /libpod-(?:conmon-)?([0-9a-f]{64})/.exec(p);
    return { runtime: 'podman', id: m?.[1] ?? null, name: null, podUid: null, qosClass: null };
  }
  const docker = /(?:^|\/)docker[-/]([0-9a-f]{64})(?:\.scope)?(?:\/|$)/.exec(p);
  if (docker) return { runtime: 'docker', id: docker[1], name: null, podUid: null, qosClass: null };
  const lxc = /(?:^|\/)(?:lxc\.payload\.|lxc\/)([^/]+)/.exec(p);
  if (lxc) return { runtime: 'lxc', id: null, name: lxc[1], podUid: null, qosClass: null };
  const unit = [...segments].reverse().find((s) => /\.(service|scope)$/.test(s));
  if (unit && !/^(session-\d+|init)\.scope$/.test(unit)) {
    return { runtime: 'systemd', id: null, name: unit, podUid: null, qosClass: null };
  }
  return null;
}

/** An OOM event's `container` for the cgroup it names (the id falls back to the name), or null. */
export function eventContainer(path: string | null | undefined): EventContainer | null {
  const c = containerFromCgroup(path);
  if (!c) return null;
  const ev: EventContainer = { runtime: c.runtime, id: c.id ?? c.name, podUid: c.podUid, qosClass: c.qosClass };
  if (c.name) ev.name = c.name;
  return ev;
}

// Turns (path, value) pairs from kubectl -o json/yaml and docker inspect into container records:
// Kubernetes containerStatuses[] (state/lastState.terminated, restartCount, containerID) joined
// with the pod's metadata and spec.containers[].resources.limits.memory, and Docker's State
// (OOMKilled, ExitCode, FinishedAt) with Id, Name, HostConfig.Memory and the kubelet's labels.

import { bareId, newRecord, newTermination, type ContainerRecord } from './record';
import { quantityToBytes } from './quantities';
import type { PathKey, PathSink } from './structured';

const STATUS_LISTS = new Set(['containerStatuses', 'initContainerStatuses', 'ephemeralContainerStatuses']);

interface PodInfo {
  name: string | null;
  namespace: string | null;
  limits: Map<string, number | null>;
  specNames: Map<string, string>;
  specLimits: Map<string, number | null>;
}

function keyOf(path: PathKey[]): string {
  return path.join('\u0001');
}

export class PlatformStatusCollector implements PathSink {
  line = 0;
  private records = new Map<string, ContainerRecord>();
  private pods = new Map<string, PodInfo>();

  constructor(private readonly done: (r: ContainerRecord, podLimits: Map<string, number | null> | null) => void) {}

  private pod(q: PathKey[]): PodInfo {
    const k = keyOf(q);
    let p = this.pods.get(k);
    if (!p) {
      if (this.pods.size > 256) this.pods.clear();
      p = { name: null, namespace: null, limits: new Map(), specNames: new Map(), specLimits: new Map() };
      this.pods.set(k, p);
    }
    return p;
  }

  private record(prefix: PathKey[], create: boolean): ContainerRecord | null {
    const k = keyOf(prefix);
    let r = this.records.get(k) ?? null;
    if (!r && create) {
      if (this.records.size > 1024) this.flushAll();
      r = newRecord(this.line);
      this.records.set(k, r);
    }
    if (r && this.line > r.lastLine) r.lastLine = this.line;
    return r;
  }

  value(path: PathKey[], value: string | number | boolean | null): void {
    const n = path.length;
    if (n === 0) return;
    const last = path[n - 1];
    // Pod metadata and spec.
    if (n >= 2 && path[n - 2] === 'metadata' && (last === 'name' || last === 'namespace')) {
      const p = this.pod(path.slice(0, n - 2));
      if (last === 'name') p.name = str(value);
      else p.namespace = str(value);
      return;
    }
    const specAt = indexOfSeq(path, 'spec', 'containers');
    if (specAt >= 0 && typeof path[specAt + 2] === 'number') {
      const p = this.pod(path.slice(0, specAt));
      const j = String(path[specAt + 2]);
      const rest = path.slice(specAt + 3);
      if (rest.length === 1 && rest[0] === 'name' && typeof value === 'string') p.specNames.set(j, value);
      else if (rest.length === 3 && rest[0] === 'resources' && rest[1] === 'limits' && rest[2] === 'memory')
        p.specLimits.set(j, quantityToBytes(String(value)));
      const name = p.specNames.get(j);
      if (name !== undefined && p.specLimits.has(j)) p.limits.set(name, p.specLimits.get(j) ?? null);
      return;
    }
    // Kubernetes container status.
    let listAt = -1;
    for (let i = n - 2; i >= 0; i--) {
      if (typeof path[i] === 'string' && STATUS_LISTS.has(path[i] as string) && typeof path[i + 1] === 'number') {
        listAt = i;
        break;
      }
    }
    let prefix: PathKey[] | null = null;
    let rest: PathKey[] = [];
    if (listAt >= 0) {
      prefix = path.slice(0, listAt + 2);
      rest = path.slice(listAt + 2);
    } else {
      const st = path.lastIndexOf('terminated');
      if (st >= 1 && (path[st - 1] === 'state' || path[st - 1] === 'lastState') && st === n - 2) {
        prefix = path.slice(0, st - 1);
        rest = path.slice(st - 1);
      }
    }
    if (prefix) {
      const r = this.record(prefix, listAt >= 0 || rest.length > 0);
      if (!r) return;
      if (listAt >= 0 && listAt >= 1) {
        // [...Q, 'status', 'containerStatuses', i]
        const q = path[listAt - 1] === 'status' ? path.slice(0, listAt - 1) : path.slice(0, listAt);
        const p = this.pods.get(keyOf(q));
        if (p) {
          r.pod = p.name;
          r.namespace = p.namespace;
        }
        (r as ContainerRecord & { podKey?: string }).podKey = keyOf(q);
      }
      if (rest.length === 1) {
        if (rest[0] === 'name') r.name = str(value);
        else if (rest[0] === 'containerID') r.id = bareId(str(value));
        else if (rest[0] === 'restartCount') r.restartCount = typeof value === 'number' ? value : null;
      } else if (rest.length === 3 && rest[1] === 'terminated') {
        const which = rest[0] === 'state' ? 'state' : rest[0] === 'lastState' ? 'lastState' : null;
        if (!which) return;
        const t = r[which] ?? (r[which] = newTermination());
        if (rest[2] === 'reason') t.reason = str(value);
        else if (rest[2] === 'exitCode') t.exitCode = typeof value === 'number' ? value : null;
        else if (rest[2] === 'finishedAt') t.finishedAt = str(value);
      }
      return;
    }
    // Docker inspect (pretty, compact `{{json .State}}`, or grep'd lines under a pseudo path).
    const inState = n >= 2 && path[n - 2] === 'State';
    const d = inState ? path.slice(0, n - 2) : path.slice(0, n - 1);
    if (last === 'OOMKilled' && typeof value === 'boolean') {
      const r = this.record(d, true)!;
      r.oomKilledFlag = value;
      if (!r.state) r.state = newTermination();
      return;
    }
    if (last === 'Id' && !inState && typeof value === 'string' && /^[0-9a-f]{12,64}$/.test(value)) {
      this.record(d, true)!.id = value;
      return;
    }
    let r = this.records.get(keyOf(d));
    for (let up = 2; !r && up <= 3 && n - up >= 0; up++) r = this.records.get(keyOf(path.slice(0, n - up)));
    if (!r) return;
    if (this.line > r.lastLine) r.lastLine = this.line;
    if (last === 'ExitCode' && typeof value === 'number') (r.state ?? (r.state = newTermination())).exitCode = value;
    else if (last === 'FinishedAt' && typeof value === 'string') (r.state ?? (r.state = newTermination())).finishedAt = value;
    else if (last === 'Name' && !inState && n >= 1 && typeof value === 'string' && keyOf(d) === keyOf(path.slice(0, n - 1))) r.name = value.replace(/^\//, '');
    else if (last === 'RestartCount' && typeof value === 'number') r.restartCount = value;
    else if (last === 'Memory' && path[n - 2] === 'HostConfig' && typeof value === 'number') r.memoryLimitBytes = value > 0 ? value : null;
    else if (path[n - 2] === 'Labels' && typeof value === 'string') {
      if (last === 'io.kubernetes.pod.name') r.pod = value;
      else if (last === 'io.kubernetes.pod.namespace') r.namespace = value;
      else if (last === 'io.kubernetes.container.name') r.name = value;
    }
  }

  close(path: PathKey[]): void {
    const k = keyOf(path);
    const r = this.records.get(k);
    if (!r) return;
    this.records.delete(k);
    this.finishRecord(r);
  }

  flushAll(): void {
    const all = [...this.records.values()];
    this.records.clear();
    for (const r of all) this.finishRecord(r);
  }

  private finishRecord(r: ContainerRecord): void {
    const podKey = (r as ContainerRecord & { podKey?: string }).podKey;
    const p = podKey !== undefined ? this.pods.get(podKey) : undefined;
    if (p) {
      if (r.pod === null) r.pod = p.name;
      if (r.namespace === null) r.namespace = p.namespace;
    }
    this.done(r, p ? p.limits : null);
  }
}

function str(v: string | number | boolean | null): string | null {
  if (v === null) return null;
  const s = String(v);
  return s === '' ? null : s;
}

function indexOfSeq(path: PathKey[], a: string, b: string): number {
  for (let i = path.length - 3; i >= 0; i--) if (path[i] === a && path[i + 1] === b) return i;
  return -1;
}

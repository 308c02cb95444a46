// Container platform facts about OOM kills, as people paste them: kubectl describe pod, kubectl get
// pod -o yaml / -o json, kubectl get pods tables (STATUS OOMKilled), docker inspect (whole, cut
// short, or grep'd to one line) with docker ps rows for the exit code. `docker stats` tables are
// usage, not kills: they yield no event.

import type { OomEvent } from '../../model/oomEvent';
import { int } from '../kernelLog/numbers';
import type { Detector, EventSink, LineMeta } from '../kernelLog/types';
import { DescribeReader } from './describe';
import { PlatformStatusCollector } from './platformStatus';
import { newRecord, recordToEvent, type ContainerRecord } from './record';
import { JsonPathReader, YamlPathReader } from './structured';

const LOOSE_KV = /^"(OOMKilled|ExitCode|FinishedAt|Id|Name|RestartCount)"\s?:\s?(true|false|-?\d{1,12}|"[^"]{0,300}")\s?,?$/;
const DOCKER_PS_ROW = /^([0-9a-f]{12,64})\s.{0,400}?\bExited \((-?\d{1,5})\)/;

export class ContainerStateDetector implements Detector {
  private readonly json: JsonPathReader;
  private readonly yaml: YamlPathReader;
  private readonly collector: PlatformStatusCollector;
  private readonly describe: DescribeReader;
  private lastYaml = 0;
  private lastLoose = 0;
  private looseSeq = 0;
  private inspect: { id: string; line: number } | null = null;
  private psExit = new Map<string, number>();

  constructor(private readonly sink: EventSink) {
    this.collector = new PlatformStatusCollector((r, limits) => this.record(r, limits));
    this.json = new JsonPathReader(this.collector);
    this.yaml = new YamlPathReader(this.collector);
    this.describe = new DescribeReader((r) => this.record(r, null));
  }

  idle(): boolean {
    return !this.json.active && !this.yaml.active && !this.describe.open;
  }

  finish(): void {
    this.json.finish();
    this.yaml.finish();
    this.describe.finish();
    this.collector.flushAll();
  }

  line(text: string, meta: LineMeta): void {
    const n = meta.first;
    this.collector.line = n;
    if (this.json.active || JsonPathReader.startsJson(text)) {
      this.json.feed(text);
      return;
    }
    if (text.charCodeAt(0) === 34 /* " */) {
      const kv = LOOSE_KV.exec(text);
      if (kv) {
        this.loose(kv[1], kv[2], n);
        return;
      }
    }
    if (this.lastLoose && n - this.lastLoose > 40) this.endLoose();
    if (this.yaml.active || YamlPathReader.startsYaml(text)) {
      if (this.yaml.feed(text, meta.indent)) {
        this.yaml.active = true;
        this.lastYaml = n;
        return;
      }
      if (n - this.lastYaml > 50) this.yaml.finish();
    }
    if (this.describe.line(text, n)) return;
    if (text.indexOf(' inspect') >= 0) {
      this.inspectCommand(text, n);
      return;
    }
    if (text.indexOf('OOMKilled') >= 0) {
      this.podsRow(text, meta);
      return;
    }
    const c0 = text.charCodeAt(0);
    if (((c0 >= 48 && c0 <= 57) || (c0 >= 97 && c0 <= 102)) && text.indexOf('Exited (') > 0) {
      const ps = DOCKER_PS_ROW.exec(text);
      if (ps) {
        if (this.psExit.size > 512) this.psExit.clear();
        this.psExit.set(ps[1], Number(ps[2]));
      }
    }
  }

  private record(r: ContainerRecord, limits: Map<string, number | null> | null): void {
    if (limits && r.memoryLimitBytes === null && r.name !== null && limits.has(r.name)) r.memoryLimitBytes = limits.get(r.name) ?? null;
    if (r.oomKilledFlag !== null) {
      if (r.id === null && this.inspect && r.firstLine - this.inspect.line <= 60) r.id = this.inspect.id;
      if (r.id !== null && (r.state === null || r.state.exitCode === null)) {
        const code = this.exitFromPs(r.id);
        if (code !== null) {
          if (!r.state) r.state = { reason: null, exitCode: null, finishedAt: null };
          r.state.exitCode = code;
        }
      }
    }
    const ev = recordToEvent(r);
    if (ev) this.sink.emit(ev);
  }

  private exitFromPs(id: string): number | null {
    for (const [k, v] of this.psExit) if (k.startsWith(id) || id.startsWith(k)) return v;
    return null;
  }

  /** `"OOMKilled": true,` and friends outside any JSON document (docker inspect | grep). */
  private loose(key: string, raw: string, n: number): void {
    if (key === 'OOMKilled' && this.lastLoose && this.looseHasOom) this.endLoose();
    this.lastLoose = n;
    const v: string | number | boolean = raw === 'true' ? true : raw === 'false' ? false : raw.startsWith('"') ? raw.slice(1, -1) : Number(raw);
    if (key === 'OOMKilled') this.looseHasOom = true;
    this.collector.value(['~loose' + this.looseSeq, key], v);
  }

  private looseHasOom = false;

  private endLoose(): void {
    this.collector.close(['~loose' + this.looseSeq]);
    this.looseSeq++;
    this.lastLoose = 0;
    this.looseHasOom = false;
  }

  /** `kubectl get pods` / `kubectl get all -A` row whose STATUS is OOMKilled. */
  private podsRow(text: string, meta: LineMeta): void {
    if (text.length > 4096) return;
    const tokens = text.trim().split(/\s+/);
    // an init container killed: STATUS reads Init:OOMKilled
    const s = tokens.findIndex((t) => t === 'OOMKilled' || t === 'Init:OOMKilled');
    if (s < 2 || !/^\d+\/\d+$/.test(tokens[s - 1])) return;
    const r = newRecord(meta.first);
    r.lastLine = meta.last;
    r.pod = tokens[s - 2].replace(/^pods?\//, '');
    r.namespace = s >= 3 ? tokens[s - 3] : null;
    // RESTARTS is "5" or, since kubectl 1.24, "5 (3m12s ago)": the count is the first word
    r.restartCount = s + 1 < tokens.length ? int(tokens[s + 1]) : null;
    r.state = { reason: 'OOMKilled', exitCode: null, finishedAt: null };
    const ev: OomEvent | null = recordToEvent(r);
    if (ev) this.sink.emit(ev);
  }

  private inspectCommand(text: string, n: number): void {
    if (text.length > 4096) return;
    const t = text.split(/\s+/);
    for (let i = 1; i < t.length; i++) {
      if (t[i] !== 'inspect' || !/(?:^|\/)(?:docker|podman|nerdctl)$|^container$/.test(t[i - 1])) continue;
      for (let j = i + 1; j < t.length; j++) {
        const tok = t[j];
        if (tok === '-f' || tok === '--format' || tok === '--type') {
          j++;
          continue;
        }
        if (tok.startsWith('-')) continue;
        if (/^[\w][\w.-]{0,127}$/.test(tok)) this.inspect = { id: tok, line: n };
        return;
      }
    }
  }
}

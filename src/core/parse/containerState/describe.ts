// `kubectl describe pod` as people paste it: whole, or only a container block, indented or not
// (so keys are found by name, never by column), sometimes two snapshots in one paste.

import { int } from '../kernelLog/numbers';
import { bareId, newRecord, newTermination, type ContainerRecord } from './record';
import { quantityToBytes } from './quantities';

const KEY = /^([A-Z][A-Za-z]{0,20}(?: [A-Za-z]{1,20}){0,3}):(?:\s+(.{0,2000}))?$/;
const BARE_KEY = /^([a-z0-9][-a-z0-9_.]{0,252}):$/;
const CLOSERS = new Set([
  'Conditions',
  'Volumes',
  'Events',
  'QoS Class',
  'Node-Selectors',
  'Tolerations',
  'Init Containers',
  'Containers',
  'Ephemeral Containers',
]);

export class DescribeReader {
  private rec: ContainerRecord | null = null;
  private section: 'state' | 'last' | 'limits' | 'requests' | 'env' | null = null;
  private pod: string | null = null;
  private namespace: string | null = null;
  private bareKey: { name: string; line: number } | null = null;
  private sawAfterState = false;

  constructor(private readonly done: (r: ContainerRecord) => void) {}

  get open(): boolean {
    return this.rec !== null;
  }

  /** Returns true when the line was a describe line. */
  line(text: string, line: number): boolean {
    const bare = BARE_KEY.exec(text);
    if (bare && this.section !== 'env') {
      this.bareKey = { name: bare[1], line };
      return false;
    }
    if (this.section === 'limits' || this.section === 'requests') {
      const lm = /^(memory|cpu|ephemeral-storage|[\w./-]{1,64}):\s+(\S{1,64})$/.exec(text);
      if (lm) {
        if (this.section === 'limits' && lm[1] === 'memory' && this.rec) this.rec.memoryLimitBytes = quantityToBytes(lm[2]);
        this.touch(line);
        return true;
      }
    }
    const m = KEY.exec(text);
    if (!m) return false;
    const key = m[1];
    const value = (m[2] ?? '').trim();
    if (this.section === 'env') {
      // Environment variables (usually UPPER_CASE) until the next describe key.
      if (/^[A-Z0-9_]+$/.test(key) && key !== 'Name') {
        this.touch(line);
        return true;
      }
      this.section = null;
    }
    switch (key) {
      case 'Name':
        if (this.rec) this.close();
        this.pod = value || null;
        this.namespace = null;
        return true;
      case 'Namespace':
        this.namespace = value || null;
        return true;
      case 'Container ID':
      case 'Image':
        if (key === 'Container ID' || !this.rec || this.rec.id !== null || this.sawAfterState) {
          if (key === 'Image' && this.rec && !this.sawAfterState && this.rec.state === null && this.rec.lastState === null) {
            this.touch(line);
            return true;
          }
          this.start(line);
        }
        if (key === 'Container ID') this.rec!.id = bareId(value);
        this.section = null;
        return true;
      case 'State':
        if (this.rec && (this.rec.state !== null || this.sawAfterState)) this.close();
        if (!this.rec) this.start(line);
        this.section = 'state';
        if (value === 'Terminated') this.rec!.state = newTermination();
        this.touch(line);
        return true;
      case 'Last State':
        if (!this.rec) this.start(line);
        this.section = 'last';
        if (value === 'Terminated') this.rec!.lastState = newTermination();
        this.touch(line);
        return true;
      case 'Reason':
      case 'Exit Code':
      case 'Finished': {
        const t = this.section === 'state' ? this.rec?.state : this.section === 'last' ? this.rec?.lastState : null;
        if (!t) return false;
        if (key === 'Reason') t.reason = value || null;
        else if (key === 'Exit Code') t.exitCode = int(value);
        else t.finishedAt = value || null;
        this.touch(line);
        return true;
      }
      case 'Started':
      case 'Signal':
      case 'Message':
        if (this.rec) this.touch(line);
        return true;
      case 'Ready':
      case 'Restart Count':
        if (!this.rec) return false;
        this.section = null;
        this.sawAfterState = true;
        if (key === 'Restart Count') this.rec.restartCount = int(value);
        this.touch(line);
        return true;
      case 'Limits':
      case 'Requests':
        if (!this.rec) return false;
        this.section = key === 'Limits' ? 'limits' : 'requests';
        this.sawAfterState = true;
        this.touch(line);
        return true;
      case 'Environment':
        if (this.rec) this.section = 'env';
        return true;
      case 'Mounts':
        this.section = null;
        return true;
      default:
        if (CLOSERS.has(key)) {
          this.close();
          return true;
        }
        if (this.section === 'state' || this.section === 'last') this.section = null;
        return false;
    }
  }

  finish(): void {
    this.close();
  }

  private start(line: number): void {
    this.close();
    const r = newRecord(line);
    r.pod = this.pod;
    r.namespace = this.namespace;
    if (this.bareKey && line - this.bareKey.line <= 1) {
      r.name = this.bareKey.name;
      r.firstLine = this.bareKey.line;
    }
    this.rec = r;
    this.sawAfterState = false;
  }

  private touch(line: number): void {
    if (this.rec && line > this.rec.lastLine) this.rec.lastLine = line;
  }

  private close(): void {
    const r = this.rec;
    this.rec = null;
    this.section = null;
    this.sawAfterState = false;
    if (r) this.done(r);
  }
}

// The oomLens.fleet.* settings, read and checked in one place: a bad window or time is a clear
// message in the Fleet view, not a query Prometheus refuses.
import { readFileSync } from 'node:fs';
import { parseDuration } from '../../core/util/duration';
import { setting } from '../settings';

export interface FleetSettings {
  url: string;
  windowMs: number;
  /** The time the window ends (oomLens.fleet.evaluateAt), or null for now. */
  atMs: number | null;
  kubeContext: string | null;
  sshMapping: Record<string, string>;
  /** The PEM text of oomLens.fleet.caFile. */
  ca: string | undefined;
}

export class FleetSettingsError extends Error {}

/** null when no Prometheus URL is set (the view shows its welcome text). */
export function readFleetSettings(): FleetSettings | null {
  const url = setting('oomLens.fleet.prometheusUrl').trim();
  if (!url) return null;
  const w = setting('oomLens.fleet.window');
  const windowMs = parseDuration(w);
  if (!windowMs) throw new FleetSettingsError(`oomLens.fleet.window must be a duration like "24h" or "7d", not ${JSON.stringify(w)}`);
  const at = setting('oomLens.fleet.evaluateAt').trim();
  const atMs = at ? Date.parse(at) : null;
  if (atMs !== null && !Number.isFinite(atMs))
    throw new FleetSettingsError(`oomLens.fleet.evaluateAt must be a time like 2026-11-30T00:00:00Z (or empty for now), not ${JSON.stringify(at)}`);
  const caFile = setting('oomLens.fleet.caFile').trim();
  let ca: string | undefined;
  if (caFile) {
    try {
      ca = readFileSync(caFile, 'utf8');
    } catch (e) {
      throw new FleetSettingsError(`cannot read oomLens.fleet.caFile ${caFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  return {
    url,
    windowMs,
    atMs,
    kubeContext: setting('oomLens.fleet.kubeContext').trim() || null,
    sshMapping: setting('oomLens.fleet.sshMapping') ?? {},
    ca,
  };
}

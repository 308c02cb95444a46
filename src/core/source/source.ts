// The seam for data that comes from an API, not a shell (beside Host, which runs commands):
// Prometheus queries and Kubernetes API objects. Collectors that read a fleet talk to these;
// they never know whether the answer came over HTTP, a kubectl on PATH, or a recorded answer.
// Minimal on purpose: the fleet issue fills it in.

/** One series of an instant query: its labels and its value. */
export interface Sample {
  labels: Record<string, string>;
  value: number;
  timeMs: number;
}
/** One series of a range query. */
export interface SeriesPoints {
  labels: Record<string, string>;
  points: [timeMs: number, value: number][];
}

export interface QueryOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** A metrics engine that answers PromQL (Prometheus, and what speaks its HTTP API). */
export interface MetricsSource {
  readonly name: string;
  query(promql: string, opts?: QueryOptions & { atMs?: number }): Promise<Sample[]>;
  queryRange(promql: string, startMs: number, endMs: number, stepSeconds: number, opts?: QueryOptions): Promise<SeriesPoints[]>;
  close(): Promise<void>;
}

/** A cluster API that lists objects (the Kubernetes API through the user's own kubectl and context). */
export interface ObjectsSource {
  readonly name: string;
  /** The objects of one kind ("pods", "events", "nodes"), as the API returns them. */
  list(kind: string, opts?: QueryOptions & { namespace?: string }): Promise<unknown[]>;
  close(): Promise<void>;
}

// Robust line fitting for memory series: Theil–Sen slope, its r², medians, bucketing of long series.
// Pure and allocation-light: analyzeGrowth calls these thousands of times per report.

/** A fitted line y = intercept + slope·x over the points it was fitted on. */
export interface LineFit {
  slope: number;
  intercept: number;
  /** r² of this line on the fitted points, clamped to [0, 1]; 0 when y is constant. */
  r2: number;
  /** Median of the fitted y values ("the size" of the series). */
  level: number;
  /** Points the line was fitted on (after bucketing) and points given. */
  fitPoints: number;
  points: number;
}

let scratch = new Float64Array(8192);
function scratchOf(n: number): Float64Array {
  if (scratch.length < n) scratch = new Float64Array(Math.max(n, scratch.length * 2));
  return scratch;
}

let bucketScratch = new Float64Array(256);
function bucketScratchOf(n: number): Float64Array {
  if (bucketScratch.length < n) bucketScratch = new Float64Array(Math.max(n, bucketScratch.length * 2));
  return bucketScratch;
}

/** k-th smallest (0-based) of a[0..n), reordering a in place. Hoare quickselect, median-of-3 pivot. */
function select(a: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // median of three as pivot: deterministic, no quadratic blow-up on sorted input
    let p = a[mid];
    const x = a[lo],
      z = a[hi];
    if ((x <= p && p <= z) || (z <= p && p <= x)) {
      /* p */
    } else if ((p <= x && x <= z) || (z <= x && x <= p)) p = x;
    else p = z;
    let i = lo,
      j = hi;
    while (i <= j) {
      while (a[i] < p) i++;
      while (a[j] > p) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

/** Median of a[0..n) (reorders a). Even n: mean of the two middle values. */
export function medianInPlace(a: Float64Array, n: number): number {
  if (n <= 0) return NaN;
  const hi = select(a, n, n >>> 1);
  if (n % 2 === 1) return hi;
  // the lower middle is the largest of a[0 .. n/2) after selection
  let lo = -Infinity;
  for (let i = 0; i < n >>> 1; i++) if (a[i] > lo) lo = a[i];
  return (lo + hi) / 2;
}

export function median(values: ArrayLike<number>): number {
  const n = values.length;
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = values[i];
  return medianInPlace(a, n);
}

/**
 * Reduces (x, y) (x ascending) to at most `maxPoints` points: equal-count buckets, each replaced by
 * the median of its x and the median of its y. A bucket median is itself robust, so a Theil–Sen fit
 * over the bucket medians keeps the estimator's resistance to spikes while the pairwise step stays
 * O(maxPoints²) whatever the series length (3600 samples → 64 buckets of ~56).
 */
export function bucketMedians(x: Float64Array, y: Float64Array, n: number, maxPoints: number): { x: Float64Array; y: Float64Array; n: number } {
  if (n <= maxPoints) return { x, y, n };
  const k = Math.max(2, maxPoints);
  const bx = new Float64Array(k);
  const by = new Float64Array(k);
  const buf = bucketScratchOf(Math.ceil(n / k) + 1);
  for (let b = 0; b < k; b++) {
    const from = Math.floor((b * n) / k);
    const to = Math.floor(((b + 1) * n) / k);
    const m = to - from;
    // x is ascending: its median is the middle element(s)
    bx[b] = m % 2 === 1 ? x[from + (m >>> 1)] : (x[from + m / 2 - 1] + x[from + m / 2]) / 2;
    for (let i = 0; i < m; i++) buf[i] = y[from + i];
    by[b] = medianInPlace(buf, m);
  }
  return { x: bx, y: by, n: k };
}

/**
 * Theil–Sen line over (x, y)[0..n) with x ascending: slope = median of the pairwise slopes
 * (pairs with equal x are skipped), intercept = median of y − slope·x. Series longer than
 * `maxPoints` are first reduced by bucketMedians. Fit quality is the r² of that line on the
 * points it was fitted on: 1 − SSres/SStot, clamped to [0, 1] (a robust line can do worse than the
 * mean, which plain least squares never does); a constant series has r² 0 (nothing to explain).
 * Bucketing makes r² describe the trend of the smoothed series, which is what a verdict needs:
 * sample-to-sample jitter of a steadily growing heap does not hide the trend.
 */
export function theilSen(xIn: Float64Array, yIn: Float64Array, nIn: number, maxPoints = 128): LineFit {
  const { x, y, n } = bucketMedians(xIn, yIn, nIn, maxPoints);
  if (n === 0) return { slope: 0, intercept: 0, r2: 0, level: NaN, fitPoints: 0, points: nIn };
  if (n === 1) return { slope: 0, intercept: y[0], r2: 0, level: y[0], fitPoints: 1, points: nIn };
  const slopes = scratchOf((n * (n - 1)) / 2);
  let m = 0;
  for (let i = 0; i < n - 1; i++) {
    const xi = x[i],
      yi = y[i];
    for (let j = i + 1; j < n; j++) {
      const dx = x[j] - xi;
      if (dx > 1e-9) slopes[m++] = (y[j] - yi) / dx; // (x in minutes: sub-microsecond apart is the same time)
    }
  }
  const slope = m > 0 ? medianInPlace(slopes, m) : 0;
  const tmp = scratchOf(n);
  for (let i = 0; i < n; i++) tmp[i] = y[i] - slope * x[i];
  const intercept = medianInPlace(tmp, n);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i];
  mean /= n;
  let ssTot = 0,
    ssRes = 0;
  for (let i = 0; i < n; i++) {
    const d = y[i] - mean;
    ssTot += d * d;
    const r = y[i] - (intercept + slope * x[i]);
    ssRes += r * r;
  }
  const r2 = ssTot > 0 ? Math.min(1, Math.max(0, 1 - ssRes / ssTot)) : 0;
  for (let i = 0; i < n; i++) tmp[i] = y[i];
  const level = medianInPlace(tmp, n);
  return { slope, intercept, r2, level, fitPoints: n, points: nIn };
}

// Largest and smallest of an array by a loop: Math.max(...xs) passes every element as an argument
// and overflows the call stack past ~125k (a paste of a huge task table, a long series). NaN is skipped.
export function maxOf(xs: ArrayLike<number>, empty = -Infinity): number {
  let m = empty;
  for (let i = 0; i < xs.length; i++) if (xs[i] > m) m = xs[i];
  return m;
}

export function minOf(xs: ArrayLike<number>, empty = Infinity): number {
  let m = empty;
  for (let i = 0; i < xs.length; i++) if (xs[i] < m) m = xs[i];
  return m;
}

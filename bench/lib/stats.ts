/** Median with min..max: the way figures from a shared, noisy machine are quoted. */
export interface Spread {
  median: number
  min: number
  max: number
  samples: number[]
}

export function spread(samples: number[]): Spread {
  const sorted = [...samples].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  const median = sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
  return { median, min: sorted[0] ?? Number.NaN, max: sorted.at(-1) ?? Number.NaN, samples }
}

export function formatSpread(value: Spread, unit = ''): string {
  const round = (n: number) => Math.round(n).toLocaleString('en-US')
  return `${round(value.median)}${unit} (${round(value.min)}..${round(value.max)})`
}

/** Ratio of medians, and of each repetition's pair (A_i / B_i), so a ratio is never taken across far-apart moments. */
export function ratio(a: Spread, b: Spread): Spread {
  return spread(a.samples.map((sample, index) => sample / (b.samples[index] as number)))
}

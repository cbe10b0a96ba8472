const DAY_MS = 24 * 60 * 60 * 1000

/** Today's calendar date (UTC), as YYYY-MM-DD. */
export function todayIso(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10)
}

/**
 * The latest calendar date a "not in the future" rule accepts: today in UTC plus one day, since a
 * date entered early in the morning east of Greenwich is already "tomorrow" in UTC.
 */
export function latestAcceptableDate(now: number = Date.now()): string {
  return todayIso(new Date(now + DAY_MS))
}

/** Whole days from one ISO date to another. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS)
}

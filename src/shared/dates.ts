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

/**
 * An ISO date plus calendar months, then days. A month added to a day its target month does not
 * have lands on that month's last day (31 January + 1 month = 28 or 29 February), as PostgreSQL's
 * `date + interval 'n months'` does.
 */
export function addCalendarPeriod(date: string, period: { months: number; days: number }): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number]
  const targetMonth = month - 1 + period.months
  const lastDayOfTarget = new Date(Date.UTC(year, targetMonth + 1, 0)).getUTCDate()
  const shifted = new Date(Date.UTC(year, targetMonth, Math.min(day, lastDayOfTarget) + period.days))
  return shifted.toISOString().slice(0, 10)
}

/** An ISO date plus (or minus) whole days. */
export function addDays(date: string, days: number): string {
  return addCalendarPeriod(date, { months: 0, days })
}

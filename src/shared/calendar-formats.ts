/**
 * The `date` and `date-time` formats of the API: RFC 3339 (as Ajv's), and within the years
 * 0001-9999, the range every client and ISO 8601 without extensions agree on. Ajv's own formats
 * accept year 0000, which PostgreSQL refuses (there is no year 0), and the request failed in the
 * database instead of at validation.
 */
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28
  return [4, 6, 9, 11].includes(month) ? 30 : 31
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  return year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)
}

export function isApiDate(value: string): boolean {
  const match = DATE.exec(value)
  return match !== null && isCalendarDate(Number(match[1]), Number(match[2]), Number(match[3]))
}

export function isApiDateTime(value: string): boolean {
  const match = DATE_TIME.exec(value)
  if (!match) return false
  const [, year, month, day, hour, minute, second, , offsetHour, offsetMinute] = match.map(Number) as number[]
  if (!isCalendarDate(year as number, month as number, day as number)) return false
  if ((hour as number) > 23 || (minute as number) > 59 || (second as number) > 59) return false
  // PostgreSQL takes offsets up to ±15:59; real ones stop at ±14:00.
  return match[8] === undefined || ((offsetHour as number) <= 15 && (offsetMinute as number) <= 59)
}

/**
 * The named fields of a row, as they are: for the snapshots an audit entry compares and the
 * payloads of events, which say what they carry by naming it once.
 */
export function pick<Row extends object, Key extends keyof Row>(row: Row, keys: readonly Key[]): Pick<Row, Key> {
  const picked = {} as Pick<Row, Key>
  for (const key of keys) picked[key] = row[key]
  return picked
}

/** An amount as the API shows it: whole minor units (cents) and the ISO 4217 currency. */
export interface Money {
  amount_minor: number
  currency: string
}

export function money(amount_minor: number, currency: string): Money {
  return { amount_minor, currency }
}

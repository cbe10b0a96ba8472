import { countries } from 'countries-list'
import { currencies } from 'countries-list/currencies'

// Reference data from countries-list (ISO 3166-1 countries, ISO 4217 currencies with their minor units),
// so a change to either standard arrives with a dependency update instead of an edit here.

/** ISO 3166-1 alpha-2 codes as countries-list has them: the assigned codes, XK (Kosovo) and the reserved AC and TA. */
const COUNTRY_CODES: ReadonlySet<string> = new Set(Object.keys(countries))

/** Every currency a country uses, which tells real currencies among the X codes from units of account. */
const COUNTRY_CURRENCIES: ReadonlySet<string> = new Set(Object.values(countries).flatMap((country) => country.currency))

/**
 * ISO 4217 currencies with their minor-unit exponent (digits after the decimal point), less the X codes
 * that no country uses (precious metals, SDR, the testing and "no currency" codes), to which ISO gives no
 * minor unit. Withdrawn currencies stay, so amounts recorded before a withdrawal keep their meaning.
 */
const MONEY = (Object.entries(currencies) as [string, { decimals: number; withdrawn?: boolean }][]).filter(
  ([code]) => !code.startsWith('X') || COUNTRY_CURRENCIES.has(code),
)

const CURRENCY_EXPONENTS: ReadonlyMap<string, number> = new Map(MONEY.map(([code, currency]) => [code, currency.decimals]))

/** Currencies accepted for new amounts: a currency withdrawn from ISO 4217 (ANG, replaced by XCG) is refused. */
const ACCEPTED_CURRENCIES: ReadonlySet<string> = new Set(MONEY.filter(([, currency]) => !currency.withdrawn).map(([code]) => code))

export function isCountryCode(value: string): boolean {
  return COUNTRY_CODES.has(value)
}

export function isCurrencyCode(value: string): boolean {
  return ACCEPTED_CURRENCIES.has(value)
}

export function currencyExponent(currency: string): number {
  const exponent = CURRENCY_EXPONENTS.get(currency)
  if (exponent === undefined) throw new Error(`Unknown currency ${currency}`)
  return exponent
}

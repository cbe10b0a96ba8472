import { currencyExponent } from '../../shared/iso-codes.js'

/**
 * Exchange rates and the conversion of a locally paid amount into the project currency.
 *
 * **Direction.** A rate is quoted as *local-currency units per one project-currency unit*
 * (the way a partner office reads the board of a local bank): with a EUR project and a payment
 * in Georgian lari, `"2.934712345678"` means 1 EUR = 2.934712345678 GEL.
 *
 * **Rule.** project amount = local amount ÷ rate, computed exactly on integers (BigInt, never
 * floats) from the minor units of both currencies and their ISO 4217 exponents, then rounded
 * once, to the nearest minor unit of the project currency, **half up** (an exact half goes to
 * the larger amount, as in the euro conversion rules of Regulation (EC) 1103/97). Amounts are
 * never negative, so half up and half away from zero are the same rule.
 *
 *   project_minor = round_half_up( local_minor × 10^(project exponent) / (10^(local exponent) × rate) )
 */

/** The shape of a rate: up to 12 integer digits and up to 18 decimals, no sign, no exponent. */
export const EXCHANGE_RATE_PATTERN = '^(0|[1-9][0-9]{0,11})(\\.[0-9]{1,18})?$'
const RATE_PATTERN = new RegExp(EXCHANGE_RATE_PATTERN)

/** A decimal rate as an exact fraction `units / 10^scale`. */
export interface DecimalRate {
  units: bigint
  scale: number
}

export class InvalidExchangeRateError extends Error {
  constructor(readonly rate: string, reason: string) {
    super(`Exchange rate "${rate}" ${reason}`)
    this.name = 'InvalidExchangeRateError'
  }
}

export function parseExchangeRate(rate: string): DecimalRate {
  if (!RATE_PATTERN.test(rate)) throw new InvalidExchangeRateError(rate, 'must be a plain decimal such as 2.934712345678')
  const [whole = '0', fraction = ''] = rate.split('.')
  const units = BigInt(`${whole}${fraction}`)
  if (units === 0n) throw new InvalidExchangeRateError(rate, 'must be greater than zero')
  return { units, scale: fraction.length }
}

/** Integer division of non-negative BigInts, rounding an exact half (and above) up. */
export function divideRoundHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (numerator < 0n || denominator <= 0n) throw new RangeError('divideRoundHalfUp takes a non-negative numerator and a positive denominator')
  const quotient = numerator / denominator
  const remainder = numerator % denominator
  return remainder * 2n >= denominator ? quotient + 1n : quotient
}

/**
 * The project-currency amount (minor units) of a local payment, by the rule above.
 * Throws InvalidExchangeRateError for a malformed or zero rate, RangeError when the result
 * cannot be represented exactly as a JavaScript number.
 */
export function convertToProjectCurrency(input: {
  localAmountMinor: number
  localCurrency: string
  rate: string
  projectCurrency: string
}): number {
  if (!Number.isSafeInteger(input.localAmountMinor) || input.localAmountMinor < 0) {
    throw new RangeError('The local amount must be a non-negative integer number of minor units')
  }
  const { units, scale } = parseExchangeRate(input.rate)
  const localExponent = currencyExponent(input.localCurrency)
  const projectExponent = currencyExponent(input.projectCurrency)
  const numerator = BigInt(input.localAmountMinor) * 10n ** BigInt(projectExponent + scale)
  const denominator = 10n ** BigInt(localExponent) * units
  const result = divideRoundHalfUp(numerator, denominator)
  if (result > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('The converted amount is too large')
  return Number(result)
}

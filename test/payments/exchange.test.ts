import t from 'tap'
import { convertToProjectCurrency, divideRoundHalfUp, InvalidExchangeRateError, parseExchangeRate } from '../../src/modules/payments/exchange.js'

const convert = (localAmountMinor: number, localCurrency: string, rate: string, projectCurrency: string) =>
  convertToProjectCurrency({ localAmountMinor, localCurrency, rate, projectCurrency })

t.test('exchange: the rate is local units per one project unit, and the amount is local ÷ rate', async (t) => {
  // 100.00 GEL at 2.934712345678 GEL per EUR = 34.07488… EUR
  t.equal(convert(10_000, 'GEL', '2.934712345678', 'EUR'), 3407)
  // 1,000,000.000 IQD (exponent 3) at 1541.123456789012 IQD per EUR = 648.877… EUR
  t.equal(convert(1_000_000_000, 'IQD', '1541.123456789012', 'EUR'), 64888)
  // 10,000 JPY (exponent 0) at 161.5 JPY per EUR = 61.9195… EUR
  t.equal(convert(10_000, 'JPY', '161.5', 'EUR'), 6192)
  // a JPY project (exponent 0): 1,234.56 EUR at 0.00651234 EUR per JPY = 189,572.41… JPY
  t.equal(convert(123_456, 'EUR', '0.00651234', 'JPY'), 189572)
  t.equal(convert(0, 'GEL', '2.5', 'EUR'), 0)
})

t.test('exchange: an exact half rounds up, whatever the exponents', async (t) => {
  t.equal(convert(5, 'GEL', '2', 'EUR'), 3, '0.05 GEL at 2 = 2.5 cents → 3 (half-even would give 2)')
  t.equal(convert(1, 'GEL', '2', 'EUR'), 1, '0.01 GEL at 2 = 0.5 cent → 1 (half-even would give 0)')
  t.equal(convert(25, 'IQD', '1', 'EUR'), 3, '0.025 IQD (exponent 3) at 1 = 2.5 cents → 3')
  t.equal(convert(1, 'EUR', '0.004', 'JPY'), 3, '0.01 EUR at 0.004 EUR per JPY = 2.5 JPY (exponent 0) → 3')
  t.equal(convert(500, 'USD', '1.5', 'EUR'), 333, 'below half rounds down')
})

t.test('exchange: rates with many decimals are exact where floating point is not', async (t) => {
  // 1234567891 / 0.080908641304576 is exactly 15258789062.5; in floating point it is 15258789062.499998.
  const rate = '0.080908641304576'
  t.equal(Math.round(1_234_567_891 / Number(rate)), 15258789062, 'floating point rounds the half the wrong way')
  t.equal(convert(1_234_567_891, 'GEL', rate, 'EUR'), 15258789063, 'the exact half rounds up')
  t.equal(convert(1_234_567_891, 'GEL', '0.080908641304576001', 'EUR'), 15258789062, 'a rate 1e-18 higher falls just below the half')
  t.equal(convert(1_234_567_891, 'GEL', '0.080908641304575999', 'EUR'), 15258789063, 'a rate 1e-18 lower is just above the half')
  t.equal(convert(123_456_789, 'IQD', '1309.123456789012345678', 'EUR'), 9430, '18 decimals and a three-decimal currency')
})

t.test('exchange: malformed, zero and oversized rates are refused', async (t) => {
  for (const rate of ['', '0', '0.000', '-1.5', '1e3', '1,5', '.5', '1.', '01.5', '1.1234567890123456789', '1234567890123.5', ' 1.5']) {
    t.throws(() => parseExchangeRate(rate), InvalidExchangeRateError, `"${rate}" is refused`)
  }
  t.same(parseExchangeRate('2.934712345678'), { units: 2934712345678n, scale: 12 })
  t.same(parseExchangeRate('0.000000000000000001'), { units: 1n, scale: 18 })
  t.throws(() => convert(10_000_000_000_000, 'EUR', '0.000000000000000001', 'GEL'), RangeError, 'a result beyond exact numbers is refused')
  t.throws(() => convert(1.5, 'EUR', '1', 'GEL'), RangeError, 'fractional minor units are refused')
  t.throws(() => convert(100, 'XXX', '1', 'EUR'), /Unknown currency/)
})

t.test('exchange: divideRoundHalfUp', async (t) => {
  t.equal(divideRoundHalfUp(7n, 2n), 4n)
  t.equal(divideRoundHalfUp(5n, 3n), 2n)
  t.equal(divideRoundHalfUp(4n, 3n), 1n)
  t.equal(divideRoundHalfUp(0n, 3n), 0n)
  t.throws(() => divideRoundHalfUp(1n, 0n), RangeError)
})

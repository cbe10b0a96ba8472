import t from 'tap'
import { currencyExponent, isCountryCode, isCurrencyCode } from '../../src/shared/iso-codes.js'
import { buildTestApp } from '../helpers/app.js'
import { projectBody } from '../projects/fixtures.js'

// Known changes to the standards, which a stale hand-kept list gets wrong.

t.test('currencies: the Caribbean guilder (XCG) replaced the Netherlands Antillean guilder (ANG) in 2025', async (t) => {
  t.ok(isCurrencyCode('XCG'), 'XCG is accepted')
  t.equal(currencyExponent('XCG'), 2)
  t.notOk(isCurrencyCode('ANG'), 'ANG, withdrawn, is refused for new amounts')
  t.equal(currencyExponent('ANG'), 2, 'amounts recorded in ANG keep their minor unit')
  t.ok(isCurrencyCode('SLE'), 'the new leone (SLE) is accepted')
  t.notOk(isCurrencyCode('SLL'), 'the old leone (SLL), withdrawn, is refused')
})

t.test('currencies: the minor unit is ISO 4217 minor units, not the digits shown in practice', async (t) => {
  // CLDR (and so Intl.NumberFormat) shows IQD and IRR with 0 digits; ISO 4217 defines 3 and 2.
  t.same(['IQD', 'IRR', 'JPY', 'KWD', 'EUR', 'GEL', 'CLF'].map(currencyExponent), [3, 2, 0, 3, 2, 2, 4])
  t.throws(() => currencyExponent('QQQ'), /Unknown currency QQQ/)
})

t.test('currencies: units of account that no country uses are not money', async (t) => {
  for (const code of ['XAU', 'XDR', 'XTS', 'XXX']) t.notOk(isCurrencyCode(code), `${code} is refused`)
  for (const code of ['XAF', 'XOF', 'XCD', 'XPF']) t.ok(isCurrencyCode(code), `${code}, a currency countries use, is accepted`)
})

t.test('countries: ISO 3166-1 alpha-2 as assigned today', async (t) => {
  t.ok(isCountryCode('CW'), 'Curaçao (CW, since 2010)')
  t.ok(isCountryCode('SS'), 'South Sudan (SS, since 2011)')
  t.ok(isCountryCode('XK'), 'Kosovo (XK, as the EU and IOM code it)')
  t.notOk(isCountryCode('AN'), 'the Netherlands Antilles (AN), dissolved in 2010, are refused')
  t.notOk(isCountryCode('YU'), 'Yugoslavia (YU) is refused')
  t.notOk(isCountryCode('ge'), 'codes are upper case')
})

t.test('the API validates money and countries against the same lists', async (t) => {
  const { as } = await buildTestApp(t)
  const admin = as('ada', ['admin'])
  const refused = await admin({ method: 'POST', url: '/v1/projects', payload: projectBody({ total: { amount_minor: 100, currency: 'ANG' } }) })
  t.equal(refused.statusCode, 400, 'a project in ANG is refused')
  t.match(refused.json().errors, [{ pointer: '/total/currency' }])
  const accepted = await admin({ method: 'POST', url: '/v1/projects', payload: projectBody({ total: { amount_minor: 100, currency: 'XCG' } }) })
  t.equal(accepted.statusCode, 201, 'a project in XCG is accepted')
  const office = await admin({ method: 'POST', url: '/v1/offices', payload: { code: 'PRN', name: 'IOM Pristina', country: 'XK', kind: 'partner_office' } })
  t.equal(office.statusCode, 201, 'an office in Kosovo is accepted')
  const stale = await admin({ method: 'POST', url: '/v1/offices', payload: { code: 'WIL', name: 'Willemstad', country: 'AN', kind: 'partner_office' } })
  t.equal(stale.statusCode, 400, 'an office in the Netherlands Antilles is refused')
  t.match(stale.json().errors, [{ pointer: '/country' }])
})

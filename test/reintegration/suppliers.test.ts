import t from 'tap'
import { ROLES, type Role } from '../../src/shared/roles.js'
import { expectStatus, reintegrationFixture, registerSupplier, supplierBody, snapshotCounts } from './helpers.js'

const IBAN = 'GE29NB0000000101904917'

t.test('partner offices register suppliers in their own country; registration numbers are unique per country', async (t) => {
  const f = await reintegrationFixture(t)
  const supplier = await registerSupplier(f.partnerTbilisi)
  t.match(supplier, { office_id: f.offices.tbilisi, country: 'GE', name: 'Kutaisi Stroi LLC', registration_number: '204566978', bank_details_visible: true, has_bank_details: true })
  t.equal(supplier.bank_details.account_number, IBAN, 'the registering office sees the bank details')

  const before = await snapshotCounts(f)
  const duplicate = await f.partnerTbilisi({ method: 'POST', url: '/v1/suppliers', payload: supplierBody({ name: 'Other', registration_number: '204-566 978' }) })
  t.equal(duplicate.statusCode, 409, 'the same number written differently is the same registration')
  t.equal(duplicate.json().type, '/problems/duplicate-resource')
  for (const [payload, pointer] of [
    [supplierBody({ contact: {} }), '/body/contact'],
    [supplierBody({ registration_number: '' }), '/body/registration_number'],
    [supplierBody({ bank_details: { account_holder: 'X', bank_name: 'Y', account_number: 'ge29 lowercase' } }), '/body/bank_details/account_number'],
    [supplierBody({ contact: { email: 'not an address' } }), '/body/contact/email'],
    [supplierBody({ country: 'IQ' }), '/body/country'],
  ] as const) {
    const response = await f.partnerTbilisi({ method: 'POST', url: '/v1/suppliers', payload })
    t.equal(response.statusCode, 400, pointer)
    t.ok(response.json().errors.some((error: { pointer: string }) => error.pointer.startsWith(pointer)), `points at ${pointer}`)
  }
  const notAPartnerOffice = f.as('mallory', ['partner'], f.offices.vilnius)
  t.equal((await notAPartnerOffice({ method: 'POST', url: '/v1/suppliers', payload: supplierBody({ registration_number: '1' }) })).statusCode, 403, 'only partner offices register')
  for (const caller of [f.counsellor, f.finance, f.admin]) {
    t.equal((await caller({ method: 'POST', url: '/v1/suppliers', payload: supplierBody({ registration_number: '2' }) })).statusCode, 403)
  }
  t.same(await snapshotCounts(f), before, 'refused registrations wrote nothing')

  const inIraq = await registerSupplier(f.partnerBaghdad)
  t.equal(inIraq.country, 'IQ', 'the same number in another country is another supplier')
})

t.test('bank details are visible only to finance and the registering partner office, in every response shape', async (t) => {
  const f = await reintegrationFixture(t)
  const supplier = await registerSupplier(f.partnerTbilisi)
  const url = `/v1/suppliers/${supplier.id}`
  const updated = await f.partnerTbilisi({ method: 'PATCH', url, headers: { 'if-match': '"1"' }, payload: { bank_details: { account_holder: 'Kutaisi Stroi LLC', bank_name: 'TBC Bank', account_number: 'GE00TB0000000000000001' } } })
  t.equal(updated.statusCode, 200)

  for (const role of ROLES) {
    const caller = f.as(`user-${role}`, [role as Role], role === 'partner' ? f.offices.tbilisi : undefined)
    const one = (await caller({ method: 'GET', url })).json()
    const list = (await caller({ method: 'GET', url: '/v1/suppliers?country=GE' })).json()
    const visible = role === 'finance' || role === 'partner'
    t.equal(one.bank_details_visible, visible, `${role}: visibility flag`)
    t.equal(one.has_bank_details, true)
    if (visible) t.equal(one.bank_details.account_number, 'GE00TB0000000000000001', `${role} sees the bank details`)
    else {
      t.equal(one.bank_details, null, `${role} gets no bank details`)
      t.notMatch(JSON.stringify(list), /GE00TB|TBC Bank|GE29NB/, `${role}: not in the list either`)
    }
  }
  const otherPartner = await f.partnerBaghdad({ method: 'GET', url })
  t.equal(otherPartner.statusCode, 404, 'another partner office does not see the supplier')
  const otherList = (await f.partnerBaghdad({ method: 'GET', url: '/v1/suppliers' })).json()
  t.same(otherList.items, [])
  const partnerAndCounsellor = (await f.as('mixed', ['partner', 'counsellor'], f.offices.baghdad)({ method: 'GET', url })).json()
  t.equal(partnerAndCounsellor.bank_details, null, 'a staff user of another partner office sees the supplier without bank details')

  const audit = (await f.auditor({ method: 'GET', url: `/v1/audit-events?entity_id=${supplier.id}` })).json()
  t.equal(audit.items.length, 2)
  t.notMatch(JSON.stringify(audit), /GE00TB|GE29NB|TBC Bank|Bank of Georgia/, 'the audit trail records that the bank details changed, never their value')
  t.same(audit.items[0].changes.bank_details, { before: '[restricted]', after: '[restricted]' })
  const events = await f.db.selectFrom('outbox_events').select('payload').where('entity_id', '=', supplier.id).execute()
  t.notMatch(JSON.stringify(events), /GE00TB|GE29NB|TBC Bank|Bank of Georgia/, 'nor do events that leave the system')
  t.ok(events.every((event) => event.payload.has_bank_details === true))
})

t.test('only the registering partner office changes its supplier', async (t) => {
  const f = await reintegrationFixture(t)
  const supplier = await registerSupplier(f.partnerTbilisi)
  const other = await registerSupplier(f.partnerTbilisi, { name: 'Telavi Agro', registration_number: '405000111' })
  const url = `/v1/suppliers/${supplier.id}`
  t.equal((await f.partnerBaghdad({ method: 'PATCH', url, headers: { 'if-match': '"1"' }, payload: { address: 'x' } })).statusCode, 404)
  t.equal((await f.as('mixed', ['partner', 'counsellor'], f.offices.baghdad)({ method: 'PATCH', url, headers: { 'if-match': '"1"' }, payload: { address: 'x' } })).statusCode, 403)
  t.equal((await f.partnerTbilisi({ method: 'PATCH', url, headers: { 'if-match': '"1"' }, payload: { registration_number: '405000111' } })).statusCode, 409, 'unique per country on change too')
  const moved = await expectStatus(await f.partnerTbilisi({ method: 'PATCH', url, headers: { 'if-match': '"1"' }, payload: { address: '3 Tsereteli Street, Kutaisi' } }), 200, 'edit')
  t.match(moved, { address: '3 Tsereteli Street, Kutaisi', version: 2 })
  t.equal(other.version, 1)
})

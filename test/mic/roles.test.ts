import t from 'tap'
import { ROLES, type Role } from '../../src/shared/roles.js'
import { buildTestApp } from '../helpers/app.js'
import { consultationBody, createEnquirer, ENQUIRERS, enquirerBody, footprint, recordConsultation } from './helpers.js'

const OFFICE_ID = '01900000-0000-7000-8000-000000000001'

t.test('the centre\'s records: counsellors and admins write, auditors read, nobody else sees them', async (t) => {
  const testApp = await buildTestApp(t)
  const enquirer = await createEnquirer(testApp)
  const consultation = await recordConsultation(testApp, enquirer.id)
  const before = await footprint(testApp)
  const reads = [ENQUIRERS, `${ENQUIRERS}/${enquirer.id}`, `${ENQUIRERS}/${enquirer.id}/consultations`, `${ENQUIRERS}/${enquirer.id}/consultations/${consultation.id}`, '/v1/mic/follow-ups']
  for (const role of ROLES) {
    const call = testApp.as(`user-${role}`, [role as Role], role === 'partner' ? OFFICE_ID : undefined)
    const mayRead = ['counsellor', 'admin', 'auditor'].includes(role)
    for (const url of reads) {
      const response = await call({ method: 'GET', url })
      t.equal(response.statusCode, mayRead ? 200 : 403, `${role} GET ${url}`)
      if (!mayRead) t.notMatch(response.body, /Ona|Petraitien|example\.org/, `${role} learns nothing about the person`)
    }
    if (!['counsellor', 'admin'].includes(role)) {
      const writes = [
        await call({ method: 'POST', url: ENQUIRERS, payload: enquirerBody() }),
        await call({ method: 'PATCH', url: `${ENQUIRERS}/${enquirer.id}`, headers: { 'if-match': '"1"' }, payload: { notes: 'x' } }),
        await call({ method: 'DELETE', url: `${ENQUIRERS}/${enquirer.id}`, headers: { 'if-match': '"1"' } }),
        await call({ method: 'POST', url: `${ENQUIRERS}/${enquirer.id}/consultations`, payload: consultationBody() }),
        await call({ method: 'PATCH', url: `${ENQUIRERS}/${enquirer.id}/consultations/${consultation.id}`, headers: { 'if-match': '"1"' }, payload: { channel: 'phone' } }),
      ]
      t.same(writes.map((response) => response.statusCode), [403, 403, 403, 403, 403], `${role} may not write`)
    }
  }
  t.same(await footprint(testApp), before, 'refused writes wrote nothing')
  const admin = testApp.as('ada', ['admin'])
  t.equal((await admin({ method: 'PATCH', url: `${ENQUIRERS}/${enquirer.id}`, headers: { 'if-match': '"1"' }, payload: { notes: 'Prefers e-mail.' } })).statusCode, 200, 'an admin writes')
  const partnerAndCounsellor = testApp.as('pat', ['partner', 'counsellor'], OFFICE_ID)
  t.equal((await partnerAndCounsellor({ method: 'GET', url: ENQUIRERS })).statusCode, 200, 'a partner user who is also a counsellor keeps the counsellor view')
})

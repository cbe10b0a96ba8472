import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { consultationBody, counsellorOf, createEnquirer, ENQUIRERS, footprint } from './helpers.js'

t.test('an erasure racing consultations leaves no consultation behind and no 500', async (t) => {
  const testApp = await buildTestApp(t)
  const counsellor = counsellorOf(testApp)
  const enquirer = await createEnquirer(testApp)
  const url = `${ENQUIRERS}/${enquirer.id}`
  const record = () => counsellor({ method: 'POST', url: `${url}/consultations`, payload: consultationBody({ follow_up_on: null, referrals: [] }) })
  const responses = await Promise.all([record(), record(), counsellor({ method: 'DELETE', url, headers: { 'if-match': '"1"' } }), record(), record()])
  const [erasure] = responses.splice(2, 1)
  t.equal(erasure?.statusCode, 204)
  for (const response of responses) t.ok([201, 404].includes(response.statusCode), `a consultation is recorded before the erasure or finds no enquirer (got ${response.statusCode})`)
  const counts = await footprint(testApp)
  t.same([counts.enquirers, counts.consultations], [0, 0], 'whatever was recorded first went with the enquirer')
})

t.test('two edits from the same version: one wins, the other is 412', async (t) => {
  const testApp = await buildTestApp(t)
  const counsellor = counsellorOf(testApp)
  const enquirer = await createEnquirer(testApp)
  const edit = (notes: string) => counsellor({ method: 'PATCH', url: `${ENQUIRERS}/${enquirer.id}`, headers: { 'if-match': '"1"' }, payload: { notes } })
  const statuses = (await Promise.all([edit('first'), edit('second')])).map((response) => response.statusCode).sort()
  t.same(statuses, [200, 412])
  const current = (await counsellor({ method: 'GET', url: `${ENQUIRERS}/${enquirer.id}` })).json()
  t.equal(current.version, 2, 'exactly one edit was applied')
})

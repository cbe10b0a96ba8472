import Fastify from 'fastify'
import pg from 'pg'

/**
 * The bare reference the case routes are measured against: Fastify and node-pg doing the minimal
 * work of each route, with no authentication, no validation beyond the id, no problem model, no
 * audit: what any implementation on this stack must at least spend. Started by the benchmark like the
 * server (its own process, pinned to the server's core). Queries go unnamed, as node-pg sends them.
 *
 * - GET /cases/:id: the case and its household, one query, the members as JSON;
 * - GET /cases?status=&country_of_return=: a keyset page of 20 (newest first) with each case's members
 *   as JSON, one query;
 * - POST /cases: the minimal create transaction (bench/lib/minimal-create.ts says what that is), from
 *   node-pg: idempotency claim, case, members in one insert, audit entries in one insert, outbox event,
 *   stored response; the case number from the office's sequence.
 */
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) })
const app = Fastify({ logger: false })
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

const MEMBERS = `coalesce((select json_agg(json_build_object('id', m.id, 'relationship', m.relationship, 'is_principal', m.is_principal, 'given_name', m.given_name,
  'family_name', m.family_name, 'sex', m.sex, 'date_of_birth', m.date_of_birth, 'birth_year', m.birth_year, 'nationality', m.nationality,
  'identity_documents', m.identity_documents, 'version', m.version, 'created_at', m.created_at, 'updated_at', m.updated_at) order by m.id)
  from case_members m where m.case_id = c.id), '[]')`

app.get('/readyz', async () => ({ status: 'ready' }))

app.get<{ Params: { id: string } }>('/cases/:id', async (request, reply) => {
  if (!UUID.test(request.params.id)) return reply.code(400).send({ error: 'bad id' })
  const { rows } = await pool.query(`select c.*, ${MEMBERS} as members from return_cases c where c.id = $1`, [request.params.id])
  if (rows.length === 0) return reply.code(404).send({ error: 'not found' })
  return reply.header('content-type', 'application/json').send(JSON.stringify(rows[0]))
})

app.get<{ Querystring: { status: string; country_of_return: string } }>('/cases', async (request, reply) => {
  const { rows } = await pool.query(
    `select c.id, c.reference, c.status, c.office_id, c.partner_office_id, c.project_id, c.country_of_return, c.intended_departure_on, c.created_at, c.updated_at,
       (select json_agg(json_build_object('id', m.id, 'relationship', m.relationship, 'is_principal', m.is_principal, 'given_name', m.given_name,
          'family_name', m.family_name, 'nationality', m.nationality) order by m.id) from case_members m where m.case_id = c.id) as members
     from return_cases c where c.status = $1 and c.country_of_return = $2 order by c.id desc limit 21`,
    [request.query.status, request.query.country_of_return],
  )
  return reply.header('content-type', 'application/json').send(JSON.stringify({ items: rows.slice(0, 20), next_cursor: rows.length > 20 ? rows[19].id : null }))
})

interface CreateBody {
  office_id: string
  legal_status: string
  referral_source: string
  country_of_return: string
  intended_departure_on: string
  members: Array<{ relationship: string; given_name: string; family_name: string; sex: string; date_of_birth: string; nationality: string }>
}

app.post<{ Body: CreateBody }>('/cases', async (request, reply) => {
  const key = String(request.headers['idempotency-key'] ?? '')
  const body = request.body
  const client = await pool.connect()
  try {
    await client.query('begin')
    const claimed = await client.query(
      `insert into idempotency_keys (caller, key, request_hash, method, path, expires_at) values ('bare', $1, 'h', 'POST', '/cases', now() + interval '24 hours')
       on conflict (caller, key) do nothing returning key`,
      [key],
    )
    if (claimed.rowCount === 0) {
      await client.query('rollback')
      return reply.code(409).send({ error: 'replay' })
    }
    const year = new Date().getUTCFullYear()
    const sequence = `case_numbers_${body.office_id.replaceAll('-', '')}_${year}`
    const { rows: numbered } = await client.query('select nextval($1::regclass) as number', [sequence])
    const { rows: cases } = await client.query(
      `insert into return_cases (id, reference, office_id, legal_status, referral_source, country_of_return, intended_departure_on, created_by)
       values (gen_random_uuid(), $1, $2, $3, $4, $5, $6, 'bare') returning *`,
      [`VNO-${year}-${String(numbered[0].number).padStart(5, '0')}`, body.office_id, body.legal_status, body.referral_source, body.country_of_return, body.intended_departure_on],
    )
    const created = cases[0]
    const values: unknown[] = []
    const tuples = body.members.map((member, index) => {
      values.push(created.id, member.relationship, index === 0, member.given_name, member.family_name, `${member.given_name.toLowerCase()}|${member.family_name.toLowerCase()}`, member.sex, member.date_of_birth, member.nationality)
      const base = index * 9
      return `(gen_random_uuid(), ${Array.from({ length: 9 }, (_, offset) => `$${base + offset + 1}`).join(', ')}, 'bare')`
    })
    const { rows: members } = await client.query(
      `insert into case_members (id, case_id, relationship, is_principal, given_name, family_name, name_key, sex, date_of_birth, nationality, created_by) values ${tuples.join(', ')} returning *`,
      values,
    )
    const audits = [{ action: 'return_case.created', id: created.id }, ...members.map((member: { id: string }) => ({ action: 'case_member.added', id: member.id }))]
    await client.query(
      `insert into audit_events (actor_sub, actor_roles, request_id, action, entity_type, entity_id, case_id, changes)
       select 'bare', '{counsellor}', $1, a.action, 'return_case', a.id, $2, '{}'::jsonb from json_to_recordset($3) as a(action text, id text)`,
      [request.id, created.id, JSON.stringify(audits)],
    )
    await client.query(`insert into outbox_events (id, event_type, entity_type, entity_id, case_id, payload) values (gen_random_uuid(), 'return_case.created', 'return_case', $1::text, $1::uuid, $2)`, [
      created.id,
      JSON.stringify({ status: created.status, country_of_return: created.country_of_return }),
    ])
    const response = JSON.stringify({ ...created, members })
    await client.query(`update idempotency_keys set response_status = 201, response_body = $1 where caller = 'bare' and key = $2`, [response, key])
    await client.query('commit')
    return reply.code(201).header('content-type', 'application/json').send(response)
  } catch (error) {
    await client.query('rollback').catch(() => undefined)
    throw error
  } finally {
    client.release()
  }
})

await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { runWrite } from '../../db/unit-of-work.js'
import { IdempotencyKeyHeader } from '../../shared/headers.js'
import { notFound, problemResponses } from '../../shared/problems.js'
import { PROJECT_MANAGERS, PROJECT_READERS } from './routes.js'
import { BudgetLineParams } from './schemas.js'
import { listRoute } from '../../shared/routes.js'
import { listLedgerEntries, toLedgerEntry } from './ledger-repository.js'
import { LedgerEntry, LedgerEntryList, LedgerEntryListQuery, ManualLedgerPosting } from './ledger-schemas.js'
import { groupCommit, manualPosting, postManualEntry } from './ledger-service.js'
import { CommitBatches } from './commit-batches.js'
import { findLine } from './repository.js'

export default async function ledgerModule(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  for (const schema of [LedgerEntry, LedgerEntryList, ManualLedgerPosting]) app.addSchema(schema)
  const commitBatches = new CommitBatches(app.db)

  listRoute(app, {
    path: '/v1/projects/:id/budget-lines/:line_id/ledger-entries',
    tags: ['ledger'],
    roles: PROJECT_READERS,
    operationId: 'listLedgerEntries',
    summary: 'List a budget line\'s ledger',
    description: 'The line\'s append-only entries, oldest first, optionally filtered by kind, source or case. The line\'s balances are the sums of these entries.',
    params: BudgetLineParams,
    query: LedgerEntryListQuery,
    list: LedgerEntryList,
    // The line is looked up first so that an unknown one is a 404, not an empty ledger.
    run: async ({ db, params, query }) => {
      if (!(await findLine(db, params.id, params.line_id))) throw notFound('Budget line', params.line_id)
      return listLedgerEntries(db, params.line_id, query)
    },
  })

  app.post('/v1/projects/:id/budget-lines/:line_id/ledger-entries', {
    config: { roles: PROJECT_MANAGERS },
    schema: {
      tags: ['ledger'],
      operationId: 'postManualLedgerEntry',
      summary: 'Commit or release money for a cost handled outside this service',
      description:
        'Records a `commit` or a `release` with source type `other`, e.g. for a framework contract managed elsewhere. A commitment that does not fit the line\'s available balance is refused with 409 `budget-line-exhausted` (naming `available`) and nothing is written; another currency than the project\'s is 422 `currency-mismatch`; a release of more than the source\'s open commitment is 409 `conflict`. Money is spent only through payments (maker-checker), never here.',
      params: BudgetLineParams,
      headers: IdempotencyKeyHeader,
      body: Type.Ref(ManualLedgerPosting),
      response: {
        201: Type.Ref(LedgerEntry),
        ...problemResponses(400, 404, 409, 422),
      },
    },
    handler: async (request, reply) => {
      const posting = manualPosting(request.params.id, request.params.line_id, request.body)
      const batched = await groupCommit(commitBatches, request.context, request.body.kind, posting, { keyed: request.headers['idempotency-key'] !== undefined })
      if (batched) return reply.code(201).send(toLedgerEntry(batched))
      return runWrite(request, reply, async (db, context, claim) => {
        // A keyed commitment stores its response in the statement that locks the line (see commitFunds).
        const storing = request.body.kind === 'commit' ? claim : undefined
        const entry = await postManualEntry(db, context, request.body.kind, posting, storing)
        return { status: 201, body: toLedgerEntry(entry), stored: storing !== undefined }
      })
    },
  })
}

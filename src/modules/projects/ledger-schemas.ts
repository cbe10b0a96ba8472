import { Type, type Static } from '@sinclair/typebox'
import { ListPage, ListQuery, Money, Nullable, StringEnum, Text, Timestamp, Uuid } from '../../shared/schemas.js'

export const LEDGER_ENTRY_KINDS = ['commit', 'release', 'spend', 'refund'] as const
export const LEDGER_SOURCE_TYPES = ['ticket', 'excess_baggage', 'cash_grant', 'disbursement', 'reintegration_plan', 'travel_insurance', 'accommodation', 'other'] as const

export const LedgerEntryKind = StringEnum(LEDGER_ENTRY_KINDS, {
  description: '`commit`: money reserved for an approved cost; `release`: a commitment given back; `spend`: money paid, consuming its commitment; `refund`: money paid and given back by the payee (a carrier refund), credited to the line it was spent from.',
})

export const LedgerSourceType = StringEnum(LEDGER_SOURCE_TYPES, {
  description: 'What the money is for: a `ticket`, an `excess_baggage` charge, a `cash_grant`, a reintegration `disbursement`, a `reintegration_plan`, a `travel_insurance` policy, an `accommodation` stay, or `other` (recorded by finance by hand).',
})

export const LedgerEntry = Type.Object(
  {
    id: Uuid('Entry id (time-ordered).'),
    budget_line_id: Uuid('Budget line the entry is posted to.'),
    kind: LedgerEntryKind,
    amount: Type.Ref(Money, { description: 'Amount of the entry (always positive; the kind gives its direction), in the project currency.' }),
    source: Type.Object(
      { type: LedgerSourceType, id: Uuid('Id of the ticket, charge, grant, disbursement or plan.') },
      { additionalProperties: false, description: 'The cost the money is for.' },
    ),
    case_id: Nullable(Uuid('Return case the cost belongs to, if any.')),
    payment_request_id: Nullable(Uuid('Payment request behind the entry, if any.')),
    actor_sub: Type.String({ description: 'Who caused the entry (subject of their token).' }),
    request_id: Nullable(Type.String({ description: 'Id of the request that wrote the entry (as in the audit trail and logs).' })),
    note: Nullable(Type.String({ description: 'Free-text note.' })),
    created_at: Timestamp('When the entry was written.'),
  },
  { $id: 'LedgerEntry', additionalProperties: false, description: 'One append-only entry of a budget line\'s ledger.', examples: [{"id": "01a23575-3d4c-7666-a802-9789dfdc1b83", "budget_line_id": "0193a0b4-2b3c-7d4e-8f5a-6b7c8d9e0f1a", "kind": "commit", "amount": {"amount_minor": 45000, "currency": "EUR"}, "source": {"type": "other", "id": "01a23575-3d4b-76f8-b720-c97c8d2a715d"}, "case_id": null, "payment_request_id": null, "actor_sub": "fiona", "request_id": "01a23575-3d38-765a-847e-6d30abbe7171", "note": "Interpretation services, framework contract 2010/17", "created_at": "2026-11-20T09:15:25.581Z"}] },
)

export const LedgerEntryList = ListPage('LedgerEntryList', LedgerEntry, 'Entries on this page, oldest first.')

export const LedgerEntryListQuery = ListQuery({
  kind: Type.Optional(LedgerEntryKind),
  source_type: Type.Optional(LedgerSourceType),
  source_id: Type.Optional(Uuid('Only entries of this source.')),
  case_id: Type.Optional(Uuid('Only entries of this return case.')),
})

export const ManualLedgerPosting = Type.Object(
  {
    kind: StringEnum(['commit', 'release'] as const, {
      description: '`commit` reserves money on the line; `release` gives back (part of) an earlier manual commitment.',
    }),
    amount: Type.Ref(Money, { description: 'Amount, in the project currency; at least 1 minor unit.' }),
    source_id: Type.Optional(Uuid('For `release`: the `source.id` of the manual commitment to give back (required). For `commit`: optional id of the outside cost; a new one is assigned when omitted.')),
    note: Text('What the money is for (e.g. the contract or invoice outside this service).', 1000),
  },
  {
    $id: 'ManualLedgerPosting',
    additionalProperties: false,
    description: 'A commitment or release recorded by finance for a cost handled outside this service (source type `other`).',
    examples: [{ kind: 'commit', amount: { amount_minor: 45000, currency: 'EUR' }, note: 'Interpretation services, framework contract 2010/17' }],
  },
)

export type LedgerEntryRecord = Static<typeof LedgerEntry>
export type LedgerEntryListFilter = Static<typeof LedgerEntryListQuery>
export type ManualLedgerPostingInput = Static<typeof ManualLedgerPosting>

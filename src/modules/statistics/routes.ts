import { Type, type TSchema } from '@sinclair/typebox'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { problemResponses } from '../../shared/problems.js'
import { ALL_ROLES, type Actor } from '../../shared/roles.js'
import { negotiate } from '../../shared/negotiation.js'
import { BudgetReport, BudgetReportCoFunder, BudgetReportLine, PROJECT_READERS } from '../projects/index.js'
import { FIGURE_DESCRIPTIONS, RETURN_FIGURES } from './definitions.js'
import { CSV, HTML, JSON_TYPE, XLSX, negotiateStatistic, sendStatistic } from './formats.js'
import { donorReportHtml } from './report-html.js'
import {
  DonorReport,
  PeriodQuery,
  ReportQuery,
  ReturnsQuery,
  ReturnsStatistic,
  SatisfactionStatistic,
  STATISTICS_SCHEMAS,
  SustainabilityStatistic,
} from './schemas.js'
import type { PeriodFilter } from './aggregates.js'
import * as service from './service.js'

/** Everyone who works with cases reads figures; a partner only its own office's. */
const STATISTICS_ROLES = ALL_ROLES

const FORMATS =
  'JSON by default; the same numbers as CSV (`Accept: text/csv`) or as an Excel workbook (`Accept: ' +
  XLSX +
  '`); any other Accept is 406. A partner office gets only the cases referred to it; victims of trafficking are counted only for `protection`, `auditor` and `admin`.'

function statisticResponses(schema: TSchema, tableDescription: string) {
  return {
    200: {
      description: 'The statistic.',
      content: {
        [JSON_TYPE]: { schema: Type.Ref(schema) },
        [CSV]: { schema: Type.String({ description: tableDescription }) },
        [XLSX]: { schema: Type.String({ format: 'binary', description: `${tableDescription} (one sheet).` }) },
      },
    },
    ...problemResponses(400),
    406: {
      description: 'None of JSON, CSV or XLSX is acceptable to the client.',
      content: { 'application/problem+json': { schema: { $ref: 'ProblemDetails#' } } },
    },
  }
}

export default async function statisticsModule(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  for (const schema of [BudgetReportLine, BudgetReportCoFunder, BudgetReport, ...STATISTICS_SCHEMAS]) app.addSchema(schema)

  app.get('/v1/statistics/returns', {
    config: { roles: STATISTICS_ROLES },
    schema: {
      tags: ['statistics'],
      operationId: 'getReturnStatistics',
      summary: 'Returns: persons and cases by country, period, sex, age, vulnerability, household type, legal status',
      description:
        `Persons whose departure was confirmed with a departure date in [from, to], optionally of one project, office or country, grouped by one or two keys. Figures: ${RETURN_FIGURES.map((figure) => `**${figure}**: ${FIGURE_DESCRIPTIONS[figure]}`).join(' ')} ` +
        `Roles: ${STATISTICS_ROLES.map((role) => `\`${role}\``).join(', ')}. ${FORMATS}`,
      querystring: ReturnsQuery,
      response: statisticResponses(ReturnsStatistic, 'A `group` row per group and a `total` row: the grouping keys, then each figure, then `vulnerable_<code>` per visible code'),
    },
    handler: async (request, reply) => {
      const type = negotiateStatistic(request.headers.accept, 'The returns statistic')
      const { group_by: groupBy, ...filter } = request.query
      const statistic = await service.returnsStatistic(app.db, request.context.actor, filter, groupBy)
      return sendStatistic(reply, type, 'returns', statistic, [service.returnsTable(statistic)])
    },
  })

  /** A statistic over a period, with the table its CSV and XLSX are made of. */
  const computedWithTable =
    <Statistic, Table>(compute: (db: typeof app.db, actor: Actor, query: PeriodFilter) => Promise<Statistic>, tableOf: (statistic: Statistic) => Table) =>
    async (actor: Actor, query: PeriodFilter) => {
      const statistic = await compute(app.db, actor, query)
      return { statistic, table: tableOf(statistic) }
    }
  const periodStatistics = [
    {
      name: 'satisfaction',
      operationId: 'getSatisfactionStatistics',
      summary: 'Satisfaction per topic: answers and the share satisfied',
      dated: 'Surveys taken in [from, to] (survey date)',
      schema: SatisfactionStatistic,
      table: 'A row per topic: answers, satisfied, share and percentage',
      read: computedWithTable(service.satisfactionStatistic, service.satisfactionTable),
    },
    {
      name: 'sustainability',
      operationId: 'getSustainabilityStatistics',
      summary: 'Sustainability per dimension: baseline, follow-up and the change, per instrument version',
      dated: 'Assessments dated in [from, to]',
      schema: SustainabilityStatistic,
      table: 'A row per instrument version and dimension',
      read: computedWithTable(service.sustainabilityStatistic, service.sustainabilityTable),
    },
  ]
  for (const statistic of periodStatistics) {
    app.get(`/v1/statistics/${statistic.name}`, {
      config: { roles: STATISTICS_ROLES },
      schema: {
        tags: ['statistics'],
        operationId: statistic.operationId,
        summary: statistic.summary,
        description: `${statistic.dated}, optionally of one project. Roles: ${STATISTICS_ROLES.map((role) => `\`${role}\``).join(', ')}. ${FORMATS}`,
        querystring: PeriodQuery,
        response: statisticResponses(statistic.schema, statistic.table),
      },
      handler: async (request, reply) => {
        const type = negotiateStatistic(request.headers.accept, `The ${statistic.name} statistic`)
        const { statistic: body, table } = await statistic.read(request.context.actor, request.query)
        return sendStatistic(reply, type, statistic.name, body, [table])
      },
    })
  }

  app.get('/v1/projects/:id/report', {
    config: { roles: PROJECT_READERS },
    schema: {
      tags: ['statistics'],
      operationId: 'getDonorReport',
      summary: 'Donor report: targets against achieved, returns, reintegration, satisfaction and spend',
      description:
        'For the whole project, or for returns departing in [from, to] and surveys taken then: targets against achieved (persons, individuals, families, children, vulnerable), returns by country and quarter, reintegration by kind of assistance, satisfaction per topic, and the budget report (spend per line and per co-funder share; always the whole project). ' +
        `Roles: ${PROJECT_READERS.map((role) => `\`${role}\``).join(', ')}. JSON by default; CSV or XLSX (one long table: section, item, measure, value, the same numbers); \`Accept: text/html\` for a printable page with its charts as inline SVG; anything else is 406.`,
      params: Type.Object({ id: Type.String({ format: 'uuid', description: 'Project id.' }) }),
      querystring: ReportQuery,
      response: {
        200: {
          description: 'The donor report.',
          content: {
            [JSON_TYPE]: { schema: Type.Ref(DonorReport) },
            [CSV]: { schema: Type.String({ description: 'One long table: section, item, measure, value.' }) },
            [XLSX]: { schema: Type.String({ format: 'binary', description: 'The same table as one sheet.' }) },
            [HTML]: { schema: Type.String({ description: 'A printable page with inline SVG charts.' }) },
          },
        },
        ...problemResponses(400, 404),
        406: {
          description: 'None of JSON, CSV, XLSX or HTML is acceptable to the client.',
          content: { 'application/problem+json': { schema: { $ref: 'ProblemDetails#' } } },
        },
      },
    },
    handler: async (request, reply) => {
      const type = negotiate(request.headers.accept, [JSON_TYPE, CSV, XLSX, HTML], 'The donor report')
      const report = await service.donorReport(app.db, request.context.actor, request.params.id, request.query)
      if (type === HTML) {
        void reply.header('vary', 'Accept')
        return reply.type('text/html; charset=utf-8').send(donorReportHtml(report))
      }
      return sendStatistic(reply, type, `donor-report-${report.project.code}`, report, [service.donorReportTable(report)])
    },
  })
}

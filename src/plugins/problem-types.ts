import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { PROBLEM_RESPONSES, PROBLEM_TYPES, ProblemError, problemTypeUri, type ProblemSlug } from '../shared/problems.js'

const ProblemType = Type.Object(
  {
    type: Type.String({ description: 'The problem type URI, as in problem responses.', examples: ['/problems/precondition-required'] }),
    title: Type.String({ description: 'Its title, the same in every response of this type.' }),
    status: Type.Integer({ description: 'The HTTP status it comes with.' }),
    description: Type.String({ description: 'What it means and what the client can do about it.' }),
  },
  { $id: 'ProblemType', additionalProperties: false, description: 'A problem type of this API.' },
)

function describe(slug: ProblemSlug) {
  const problem: { status: number; title: string; description?: string } = PROBLEM_TYPES[slug]
  return { type: problemTypeUri(slug), title: problem.title, status: problem.status, description: problem.description ?? problem.title }
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`)
/** `code` spans of the descriptions, as in the spec's Markdown. */
const inlineCode = (text: string) => escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>')

function page(problem: ReturnType<typeof describe>): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(problem.title)} (${problem.status})</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; line-height: 1.5">
<p><code>${escapeHtml(problem.type)}</code> · HTTP ${problem.status}</p>
<h1>${escapeHtml(problem.title)}</h1>
<p>${inlineCode(problem.description)}</p>
<p>Problem responses are <code>application/problem+json</code> (RFC 9457): branch on <code>type</code>; <code>detail</code> explains the occurrence and <code>request_id</code> identifies the request. <a href="/problems">All problem types</a> · <a href="/docs">API documentation</a></p>
</body></html>
`
}

function indexPage(): string {
  const rows = (Object.keys(PROBLEM_TYPES) as ProblemSlug[])
    .map(describe)
    .map((problem) => `<li><a href="${escapeHtml(problem.type)}"><code>${escapeHtml(problem.type)}</code></a> (${problem.status}): ${escapeHtml(problem.title)}</li>`)
    .join('\n')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Problem types</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; line-height: 1.5">
<h1>Problem types</h1><ul>
${rows}
</ul><p><a href="/docs">API documentation</a></p></body></html>
`
}

/** Browsers and curl without Accept get HTML; a client asking for JSON gets JSON. */
function wantsHtml(accept: string | undefined): boolean {
  if (!accept) return false
  const html = accept.indexOf('text/html')
  const json = accept.indexOf('json')
  return html !== -1 && (json === -1 || html < json)
}

/**
 * The `type` URI of every problem resolves: GET /problems/{slug} describes it, as a short page for a person
 * (text/html) or as JSON for a program; GET /problems lists them all.
 */
async function problemTypesPlugin(app: FastifyInstance): Promise<void> {
  app.addSchema(ProblemType)
  const slugs = Object.keys(PROBLEM_TYPES) as ProblemSlug[]

  app.get('/problems', {
    config: { public: true },
    schema: {
      tags: ['operations'],
      operationId: 'listProblemTypes',
      summary: 'The problem types of this API',
      description: 'Every `type` a problem response can carry. HTML for `Accept: text/html`, else JSON. No authentication.',
      security: [],
      response: {
        200: {
          description: 'The problem types.',
          content: { 'application/json': { schema: Type.Array(Type.Ref(ProblemType)) }, 'text/html': { schema: Type.String() } },
        },
      },
    },
    handler: async (request, reply) => (wantsHtml(request.headers.accept) ? reply.type('text/html; charset=utf-8').send(indexPage()) : slugs.map(describe)),
  })

  app.get('/problems/:slug', {
    config: { public: true },
    schema: {
      tags: ['operations'],
      operationId: 'getProblemType',
      summary: 'What a problem type means',
      description: 'Resolves a problem `type` URI: what the problem means and what to do about it. HTML for `Accept: text/html`, else JSON. No authentication.',
      security: [],
      params: Type.Object({ slug: Type.String({ pattern: '^[a-z0-9-]+$', maxLength: 64, description: 'The last segment of the `type` URI.', examples: ['precondition-required'] }) }),
      response: {
        200: {
          description: 'The problem type.',
          content: { 'application/json': { schema: Type.Ref(ProblemType) }, 'text/html': { schema: Type.String() } },
        },
        404: PROBLEM_RESPONSES[404],
      },
    },
    handler: async (request, reply) => {
      const slug = (request.params as { slug: string }).slug
      if (!Object.hasOwn(PROBLEM_TYPES, slug)) throw new ProblemError('not-found', `No problem type ${slug}; GET /problems lists them`)
      const problem = describe(slug as ProblemSlug)
      return wantsHtml(request.headers.accept) ? reply.type('text/html; charset=utf-8').send(page(problem)) : problem
    },
  })
}

export default fp(problemTypesPlugin, { name: 'problem-types' })

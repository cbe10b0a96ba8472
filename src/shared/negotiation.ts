import { ProblemError } from './problems.js'

/**
 * The media type a response takes, by the Accept header's preferences (q values, then the more
 * specific range): the first of `types` when there is no Accept header, 406 `not-acceptable`
 * naming what is available when none is acceptable.
 */
export function negotiate<const Type extends string>(accept: string | undefined, types: readonly [Type, ...Type[]], what: string): Type {
  if (!accept || accept.trim() === '') return types[0]
  let best: { type: Type; q: number; specificity: number } | undefined
  for (const range of accept.split(',')) {
    const [mediaRange = '', ...parameters] = range.split(';').map((part) => part.trim().toLowerCase())
    const qParameter = parameters.find((parameter) => parameter.startsWith('q='))
    const q = qParameter ? Number(qParameter.slice(2)) : 1
    if (!Number.isFinite(q) || q <= 0) continue
    for (const type of types) {
      const specificity = mediaRange === type ? 2 : mediaRange === `${type.split('/')[0]}/*` ? 1 : mediaRange === '*/*' ? 0 : -1
      if (specificity < 0) continue
      if (!best || q > best.q || (q === best.q && specificity > best.specificity)) best = { type, q, specificity }
    }
  }
  if (!best) throw new ProblemError('not-acceptable', `${what} is available as ${types.join(', ')}`, { available: [...types] })
  return best.type
}

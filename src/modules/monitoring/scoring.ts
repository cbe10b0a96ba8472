import type { SustainabilityInstrumentDefinition } from '../../db/schema.js'

/**
 * Sustainability scores, computed exactly: each answer is scaled to 0-1 between the lowest and the
 * highest value of its scale, a dimension is the weighted mean of its indicators, the composite the
 * weighted mean of the dimensions (weights in percent). Scores are kept in hundredths of a point on
 * 0-100, rounded once, an exact half up; the arithmetic before that is on integers (BigInt), so the
 * same answers always give the same scores.
 */

export type Dimension = 'economic' | 'social' | 'psychosocial'
export const DIMENSION_ORDER: readonly Dimension[] = ['economic', 'social', 'psychosocial']

export interface ScoresInHundredths {
  economic: number
  social: number
  psychosocial: number
  composite: number
}

interface Fraction {
  numerator: bigint
  denominator: bigint
}

function gcd(a: bigint, b: bigint): bigint {
  return b === 0n ? a : gcd(b, a % b)
}

function lcm(a: bigint, b: bigint): bigint {
  return (a / gcd(a, b)) * b
}

/** a / b rounded to the nearest integer, an exact half up (a, b ≥ 0, b > 0). */
function roundHalfUp(numerator: bigint, denominator: bigint): number {
  return Number((2n * numerator + denominator) / (2n * denominator))
}

function scaleRange(definition: SustainabilityInstrumentDefinition, code: string): { min: number; max: number } {
  const scale = definition.answer_scales.find((candidate) => candidate.code === code)
  if (!scale) throw new Error(`Answer scale ${code} is not defined`)
  const values = scale.options.map((option) => option.value)
  return { min: Math.min(...values), max: Math.max(...values) }
}

/** The dimension's score as an exact fraction of 1. */
function dimensionFraction(definition: SustainabilityInstrumentDefinition, dimension: Dimension, answers: Record<string, number>): Fraction {
  const entry = definition.dimensions.find((candidate) => candidate.dimension === dimension)
  if (!entry) throw new Error(`Dimension ${dimension} is not defined`)
  const terms = entry.indicators.map((indicator) => {
    const { min, max } = scaleRange(definition, indicator.scale)
    return { weight: BigInt(indicator.weight), reached: BigInt((answers[indicator.code] as number) - min), range: BigInt(max - min) }
  })
  const common = terms.reduce((acc, term) => lcm(acc, term.range), 1n)
  const numerator = terms.reduce((sum, term) => sum + term.weight * term.reached * (common / term.range), 0n)
  const denominator = common * terms.reduce((sum, term) => sum + term.weight, 0n)
  return { numerator, denominator }
}

export function scoreAnswers(definition: SustainabilityInstrumentDefinition, answers: Record<string, number>): ScoresInHundredths {
  const fractions = DIMENSION_ORDER.map((dimension) => ({ dimension, fraction: dimensionFraction(definition, dimension, answers) }))
  const hundredths = (fraction: Fraction) => roundHalfUp(10000n * fraction.numerator, fraction.denominator)
  const common = fractions.reduce((acc, { fraction }) => lcm(acc, fraction.denominator), 1n)
  const weighted = fractions.reduce((sum, { dimension, fraction }) => {
    const weight = BigInt(definition.dimensions.find((candidate) => candidate.dimension === dimension)?.weight ?? 0)
    return sum + weight * fraction.numerator * (common / fraction.denominator)
  }, 0n)
  const [economic, social, psychosocial] = fractions.map(({ fraction }) => hundredths(fraction)) as [number, number, number]
  // Weights are percent: Σ weight × fraction / 100 on 0-1, so hundredths of a point = 100 × Σ weight × fraction.
  return { economic, social, psychosocial, composite: roundHalfUp(100n * weighted, common) }
}

/** What is wrong with an instrument's definition, as JSON pointers under `pointer`. */
export function definitionErrors(definition: SustainabilityInstrumentDefinition, pointer: string): Array<{ pointer: string; detail: string }> {
  const errors: Array<{ pointer: string; detail: string }> = []
  const scaleCodes = new Set<string>()
  definition.answer_scales.forEach((scale, index) => {
    if (scaleCodes.has(scale.code)) errors.push({ pointer: `${pointer}/answer_scales/${index}/code`, detail: `scale ${scale.code} is defined twice` })
    scaleCodes.add(scale.code)
    const values = scale.options.map((option) => option.value)
    if (new Set(values).size !== values.length) errors.push({ pointer: `${pointer}/answer_scales/${index}/options`, detail: 'option values must be distinct' })
  })
  const dimensions = definition.dimensions.map((entry) => entry.dimension)
  for (const dimension of DIMENSION_ORDER) {
    if (dimensions.filter((candidate) => candidate === dimension).length !== 1) {
      errors.push({ pointer: `${pointer}/dimensions`, detail: `must define the ${dimension} dimension exactly once` })
    }
  }
  const weightSum = definition.dimensions.reduce((sum, entry) => sum + entry.weight, 0)
  if (weightSum !== 100) errors.push({ pointer: `${pointer}/dimensions`, detail: `dimension weights sum to ${weightSum}, not 100` })
  const indicatorCodes = new Set<string>()
  definition.dimensions.forEach((entry, dimensionIndex) => {
    entry.indicators.forEach((indicator, index) => {
      const at = `${pointer}/dimensions/${dimensionIndex}/indicators/${index}`
      if (indicatorCodes.has(indicator.code)) errors.push({ pointer: `${at}/code`, detail: `indicator ${indicator.code} is defined twice` })
      indicatorCodes.add(indicator.code)
      if (!scaleCodes.has(indicator.scale)) errors.push({ pointer: `${at}/scale`, detail: `no answer scale ${indicator.scale}` })
    })
  })
  return errors
}

/** What is wrong with a set of answers for an instrument: every indicator answered with a value of its scale, nothing else. */
export function answerErrors(definition: SustainabilityInstrumentDefinition, answers: Record<string, number>, pointer: string): Array<{ pointer: string; detail: string }> {
  const errors: Array<{ pointer: string; detail: string }> = []
  const indicators = definition.dimensions.flatMap((entry) => entry.indicators)
  for (const indicator of indicators) {
    const value = answers[indicator.code]
    if (value === undefined) {
      errors.push({ pointer: `${pointer}/${indicator.code}`, detail: 'not answered' })
      continue
    }
    const scale = definition.answer_scales.find((candidate) => candidate.code === indicator.scale)
    if (!scale?.options.some((option) => option.value === value)) {
      errors.push({ pointer: `${pointer}/${indicator.code}`, detail: `must be one of ${scale?.options.map((option) => option.value).join(', ')}` })
    }
  }
  const known = new Set(indicators.map((indicator) => indicator.code))
  for (const code of Object.keys(answers)) {
    if (!known.has(code)) errors.push({ pointer: `${pointer}/${code}`, detail: 'not an indicator of this instrument' })
  }
  return errors
}

export const toPoints = (hundredths: number): number => hundredths / 100

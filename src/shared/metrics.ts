import client from 'prom-client'

/**
 * The service's metrics (prom-client), served in Prometheus format on GET /metrics when METRICS_TOKEN
 * is set. A module adds its own with the helpers below, once, at module level:
 *
 *   const deliveries = counter({ name: 'avrr_webhook_deliveries_total', help: '…', labelNames: ['outcome'] })
 *   deliveries.inc({ outcome: 'delivered' })
 *
 * Labels hold small fixed sets (a route pattern, an outcome, a problem type), never an id or a name:
 * every distinct label value is a time series kept forever.
 *
 * One registry per process: metrics describe the process, and a metric defined twice (a module
 * imported by two apps in one test process) is the same metric, not an error.
 */
export const metricsRegistry = new client.Registry()

interface MetricOptions<Label extends string> {
  name: string
  help: string
  labelNames?: readonly Label[]
}

function existing<Metric>(name: string): Metric | undefined {
  return metricsRegistry.getSingleMetric(name) as Metric | undefined
}

export function counter<Label extends string = never>(options: MetricOptions<Label>): client.Counter<Label> {
  return existing<client.Counter<Label>>(options.name) ?? new client.Counter({ ...options, labelNames: options.labelNames ?? [], registers: [metricsRegistry] })
}

export function gauge<Label extends string = never>(options: MetricOptions<Label> & { collect?: (this: client.Gauge<Label>) => void }): client.Gauge<Label> {
  return existing<client.Gauge<Label>>(options.name) ?? new client.Gauge({ ...options, labelNames: options.labelNames ?? [], registers: [metricsRegistry] })
}

export function histogram<Label extends string = never>(options: MetricOptions<Label> & { buckets?: number[] }): client.Histogram<Label> {
  return existing<client.Histogram<Label>>(options.name) ?? new client.Histogram({ ...options, labelNames: options.labelNames ?? [], registers: [metricsRegistry] })
}

let defaultsCollected = false

/** Process metrics: CPU, memory, GC, event-loop delay (nodejs_eventloop_lag_*), open handles. Started once, with the first app that serves metrics. */
export function collectProcessMetrics(): void {
  if (defaultsCollected) return
  defaultsCollected = true
  client.collectDefaultMetrics({ register: metricsRegistry, eventLoopMonitoringPrecision: 10 })
}

// ---------------------------------------------------------------- metrics of the shared mechanics

export const idempotencyReplays = counter({
  name: 'avrr_idempotency_replays_total',
  help: 'Writes answered from a stored response because their Idempotency-Key was seen before (retries that changed nothing).',
})

export const ledgerRefusals = counter({
  name: 'avrr_ledger_refusals_total',
  help: 'Commitments the ledger refused, by reason (budget-line-exhausted, project-not-active, currency-mismatch).',
  labelNames: ['reason'],
})

/** The pg pools of the process, read when metrics are scraped. */
interface PoolCounts {
  totalCount: number
  idleCount: number
  waitingCount: number
  options: { max?: number }
}
const pools = new Set<PoolCounts>()

gauge({
  name: 'db_pool_connections',
  help: 'Connections of the PostgreSQL pool: open (total), idle, in use, and the configured maximum.',
  labelNames: ['state'],
  collect() {
    let total = 0
    let idle = 0
    let max = 0
    for (const pool of pools) {
      total += pool.totalCount
      idle += pool.idleCount
      max += pool.options.max ?? 10
    }
    this.set({ state: 'total' }, total)
    this.set({ state: 'idle' }, idle)
    this.set({ state: 'in_use' }, total - idle)
    this.set({ state: 'max' }, max)
  },
})

gauge({
  name: 'db_pool_waiting_requests',
  help: 'Queries waiting for a connection of the PostgreSQL pool (all connections in use).',
  collect() {
    let waiting = 0
    for (const pool of pools) waiting += pool.waitingCount
    this.set(waiting)
  },
})

const poolAcquire = histogram({
  name: 'db_pool_acquire_seconds',
  help: 'Time to get a connection from the PostgreSQL pool; long waits mean the pool is too small for the load.',
  buckets: [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
})

interface ObservedPool<Connection> extends PoolCounts {
  connect(): Promise<Connection>
  end(): Promise<void>
}

/** Counts a pool's connections and times how long each connect waits; forgotten when the pool ends. */
export function observePool<Connection>(pool: ObservedPool<Connection>): void {
  pools.add(pool)
  const connect = pool.connect.bind(pool)
  pool.connect = async () => {
    const end = poolAcquire.startTimer()
    try {
      return await connect()
    } finally {
      end()
    }
  }
  const end = pool.end.bind(pool)
  pool.end = async () => {
    pools.delete(pool)
    return end()
  }
}

// ---------------------------------------------------------------- requests

/** The route a request matched, as its pattern (`/v1/return-cases/:id`), never the raw URL with its ids. */
export function routeLabel(request: { routeOptions: { url?: string } }): string {
  return request.routeOptions.url ?? 'unmatched'
}

const problemsSent = counter({
  name: 'http_problems_total',
  help: 'Problem responses (4xx and 5xx) by route pattern, status and problem type.',
  labelNames: ['method', 'route', 'status_code', 'type'],
})

/** Counts a problem response; the problem handler calls it for every one it sends. */
export function recordProblem(request: { method: string; routeOptions: { url?: string } }, status: number, type: string): void {
  problemsSent.inc({ method: request.method, route: routeLabel(request), status_code: String(status), type })
}

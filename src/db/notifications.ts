import pg from 'pg'

export interface Listener {
  close(): Promise<void>
}

/**
 * LISTENs on a channel of the PostgreSQL server with a connection of its own (outside the pool,
 * which never keeps a session), and calls `onNotify` for each notification. A lost connection is
 * reopened after `retryMs`; `onNotify` is also called then, since notifications sent meanwhile
 * were lost and the caller should look for work.
 */
export function listen(
  databaseUrl: string,
  channel: string,
  onNotify: () => void,
  options: { retryMs?: number; onError?: (error: Error) => void } = {},
): Listener {
  let closed = false
  let client: pg.Client | undefined
  let retry: NodeJS.Timeout | undefined
  const retryMs = options.retryMs ?? 1000

  const reconnectLater = (error: Error) => {
    options.onError?.(error)
    client?.removeAllListeners()
    void client?.end().catch(() => undefined)
    client = undefined
    if (!closed) retry = setTimeout(connect, retryMs)
  }

  function connect(): void {
    const connection = new pg.Client({ connectionString: databaseUrl })
    client = connection
    connection.on('notification', (message) => {
      if (message.channel === channel) onNotify()
    })
    connection.on('error', reconnectLater)
    connection
      .connect()
      .then(() => connection.query(`listen ${pg.escapeIdentifier(channel)}`))
      .then(() => {
        if (closed) void connection.end()
        else onNotify()
      })
      .catch(reconnectLater)
  }

  connect()
  return {
    async close() {
      closed = true
      clearTimeout(retry)
      const open = client
      client = undefined
      open?.removeAllListeners()
      await open?.end().catch(() => undefined)
    },
  }
}

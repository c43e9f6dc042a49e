/**
 * A purpose-built HTTP server on loopback for the faults the emulator cannot show from the outside:
 * whether the client closed a connection (after a timeout or an interruption), how much of a huge
 * chunked body a client made the server write before it went away, and answers that echo the
 * client's own request headers back (a gateway that prints the request it rejected).
 *
 * Closed, with every connection, when the test's scope closes.
 */
import { Effect, type Scope } from "effect"
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

/** A request as the server received it, and what became of its connection. */
export interface RawRequest {
  readonly method: string
  /** The raw request target: path and query as sent. */
  readonly url: string
  readonly headers: IncomingHttpHeaders
  /** The response was ended by the server. */
  finished: boolean
  /** The connection closed before the server ended its response: the client went away. */
  closedEarly: boolean
  /** The bytes of body the server managed to hand to the socket. */
  bytesWritten: number
}

/** Answers a request; not answering at all (a stall) is allowed. */
export type RawHandler = (request: RawRequest, response: ServerResponse, index: number) => void

export interface RawServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  /** Every request received so far, oldest first; the entries are updated as connections end. */
  readonly requests: ReadonlyArray<RawRequest>
  /** How many TCP connections are open now. */
  readonly openConnections: Effect.Effect<number>
}

/** Listens on a free loopback port until the scope closes (then closes every connection). */
export const listen = (server: Server): Effect.Effect<string, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<string>((resume) => {
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed(`http://127.0.0.1:${port}`))
      })
    }),
    () =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )

export const rawServer = (handler: RawHandler): Effect.Effect<RawServer, never, Scope.Scope> =>
  Effect.gen(function*() {
    const requests: Array<RawRequest> = []
    const server = createServer((req, res) => {
      const entry: RawRequest = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        finished: false,
        closedEarly: false,
        bytesWritten: 0
      }
      requests.push(entry)
      res.on("finish", () => {
        entry.finished = true
      })
      res.on("close", () => {
        if (!entry.finished) entry.closedEarly = true
      })
      req.resume()
      try {
        handler(entry, res, requests.length - 1)
      } catch (error) {
        res.writeHead(599).end(String(error))
      }
    })
    const url = yield* listen(server)
    const openConnections = Effect.async<number>((resume) => {
      server.getConnections((error, count) => resume(error ? Effect.die(error) : Effect.succeed(count)))
    })
    return { url, requests, openConnections }
  })

/** A loopback port with nothing listening on it (a server was started there, then closed). */
export const closedPort: Effect.Effect<number> = Effect.async<number>((resume) => {
  const server = createServer()
  server.listen(0, "127.0.0.1", () => {
    const port = (server.address() as AddressInfo).port
    server.close(() => resume(Effect.succeed(port)))
  })
})

/**
 * Streams `totalBytes` of `fill` as a chunked body (no `Content-Length`) or with one, honouring
 * back-pressure, and counts what the socket accepted; stops when the client goes away.
 */
export const streamBody = (
  request: RawRequest,
  response: ServerResponse,
  options: {
    readonly status: number
    readonly totalBytes: number
    readonly contentLength: boolean
    readonly prefix?: string
    readonly headers?: Readonly<Record<string, string>>
  }
): void => {
  const prefix = Buffer.from(options.prefix ?? "")
  const chunk = Buffer.alloc(64 * 1024, " ")
  response.writeHead(options.status, {
    "content-type": "application/json",
    ...(options.contentLength ? { "content-length": String(options.totalBytes) } : {}),
    ...options.headers
  })
  let sent = 0
  const write = (): void => {
    while (sent < options.totalBytes && !response.destroyed) {
      const piece = sent === 0 && prefix.length > 0
        ? prefix
        : chunk.subarray(0, Math.min(chunk.length, options.totalBytes - sent))
      sent += piece.length
      const more = response.write(piece, (error) => {
        if (error === undefined || error === null) request.bytesWritten += piece.length
      })
      if (!more) {
        response.once("drain", write)
        return
      }
    }
    if (sent >= options.totalBytes && !response.destroyed) response.end()
  }
  write()
}

/**
 * A real HTTP server on loopback for tests of the live layer, closed with the test's scope.
 */
import { Effect, type Scope } from "effect"
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

/** A request as the server received it. */
export interface Seen {
  readonly method: string
  /** The raw request target: path and query exactly as sent. */
  readonly url: string
  readonly path: string
  readonly query: ReadonlyArray<readonly [string, string]>
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

/** Answers the `index`-th request (0-based). Not answering at all is allowed. */
export type Handler = (request: Seen, response: ServerResponse, index: number) => void

export interface TestServer {
  readonly port: number
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string
  /** Every request received so far, in order. */
  readonly seen: ReadonlyArray<Seen>
}

export const testServer = (handler: Handler): Effect.Effect<TestServer, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<{ readonly server: ReturnType<typeof createServer>; readonly info: TestServer }>((resume) => {
      const seen: Array<Seen> = []
      const server = createServer((req, res) => {
        const chunks: Array<Buffer> = []
        req.on("data", (chunk: Buffer) => chunks.push(chunk))
        req.on("end", () => {
          const target = req.url ?? ""
          const parsed = new URL(target, "http://placeholder")
          const request: Seen = {
            method: req.method ?? "",
            url: target,
            path: target.split("?")[0]!,
            query: Array.from(parsed.searchParams.entries()),
            headers: req.headers,
            body: Buffer.concat(chunks).toString("utf8")
          }
          seen.push(request)
          try {
            handler(request, res, seen.length - 1)
          } catch (error) {
            res.writeHead(599).end(String(error))
          }
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const port = (server.address() as AddressInfo).port
        resume(Effect.succeed({ server, info: { port, endpoint: `http://127.0.0.1:${port}`, seen } }))
      })
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ info }) => info))

/** A port on loopback with nothing listening on it (a server was started there and closed). */
export const closedPort: Effect.Effect<number> = Effect.async<number>((resume) => {
  const server = createServer()
  server.listen(0, "127.0.0.1", () => {
    const port = (server.address() as AddressInfo).port
    server.close(() => resume(Effect.succeed(port)))
  })
})

/** Sends a JSON answer. */
export const json = (
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {}
): void => {
  const text = typeof body === "string" ? body : JSON.stringify(body)
  res.writeHead(status, { "content-type": "application/json", ...headers })
  res.end(text)
}

/**
 * The live layer's transport (`DcsTransport`): each attempt signed and handed to undici's
 * `dispatch` with a handler that collects the body, one async boundary per attempt.
 *
 * Through an `HttpClient`, each attempt built a request object and a signed copy of it, parsed
 * its URL twice, made an AbortController, registered the response with a FinalizationRegistry,
 * wrapped it twice, read its body through a stream and a promise, and forked a fiber for its
 * timeout: most of the time and most of the garbage of a stream of pages. Here the endpoint is
 * parsed once, the headers are signed as a plain object, the timeout is a timer of the exchange,
 * and interruption aborts the exchange through undici's own controller. The keep-alive `Agent`
 * is the platform's (`NodeHttpClient.Dispatcher`), and the signature is `Signer`'s.
 */
import { type Request, type Response, type Transport, TransportFailure } from "@effect-dcs/core/DcsTransport"
import type * as Undici from "@effect/platform-node/Undici"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type * as Credentials from "../Credentials.js"
import * as signer from "./signer.js"
import type * as signing from "./signing.js"

interface Endpoint {
  readonly origin: string
  readonly host: string
  /** The endpoint's path, without a trailing slash: "" for none. */
  readonly pathPrefix: string
}

const parseEndpoint = (endpoint: string): Endpoint | undefined => {
  let url: URL
  try {
    url = new URL(endpoint)
  } catch {
    return undefined
  }
  return {
    origin: url.origin,
    host: url.host,
    pathPrefix: url.pathname.endsWith("/") ? url.pathname.slice(0, -1) : url.pathname
  }
}

const describe = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error)
  const code = (error as { code?: unknown }).code
  const inner = (error as { cause?: unknown }).cause
  // "connect ECONNREFUSED 127.0.0.1:1" names its code already.
  const prefix = typeof code === "string" && !error.message.includes(code) ? code + " " : ""
  return `${prefix}${error.message}${inner instanceof Error ? `: ${inner.message}` : ""}`
}

const BOM = 0xfeff

const noop = () => {}

/** The abort reason of an exchange given up by its caller (interrupted, or out of time). */
const abandoned = new Error("the exchange was abandoned")

/**
 * One exchange: undici calls it as the answer arrives; it resumes the waiting fiber once, with
 * the answer (body read up to the limit its status allows) or a failure.
 *
 * It is a handler of undici's own interface (onConnect, onHeaders, onData, onComplete, onError),
 * which undici's core calls directly: a handler of the newer interface is wrapped in an adapter
 * that keeps the raw response headers, and undici keeps up to 256 finished requests with their
 * handlers, so the headers' buffers held the socket's read buffers long after the answer.
 */
class Exchange implements Undici.Dispatcher.DispatchHandler {
  private abort: ((reason?: Error) => void) | undefined = undefined
  private settled = false
  private status = 0
  private headers: Record<string, string | undefined> = {}
  private chunks: Array<Buffer> = []
  private size = 0
  private limit = 0
  private timer: ReturnType<typeof setTimeout> | undefined = undefined

  constructor(
    private readonly maxBodyBytes: (status: number) => number,
    private resume: (effect: Effect.Effect<Response, TransportFailure>) => void
  ) {}

  onConnect(abort: (reason?: Error) => void): void {
    this.abort = abort
    if (this.settled) abort(abandoned)
  }

  onHeaders(statusCode: number, rawHeaders: Array<Buffer>): boolean {
    // 1xx answers are informational; the real one follows.
    if (statusCode < 200) return true
    this.status = statusCode
    this.limit = this.maxBodyBytes(statusCode)
    // Names in lower case; a repeated header's values joined.
    const headers: Record<string, string | undefined> = {}
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
      const name = rawHeaders[i]!.toString("latin1").toLowerCase()
      const value = rawHeaders[i + 1]!.toString("utf8")
      const previous = headers[name]
      headers[name] = previous === undefined ? value : previous + ", " + value
    }
    this.headers = headers
    return true
  }

  onData(chunk: Buffer): boolean {
    if (this.settled) return false
    const room = this.limit - this.size
    if (chunk.length <= room) {
      this.chunks.push(chunk)
      this.size += chunk.length
      return true
    }
    // Longer than the limit: keep what fits, stop reading, and close the connection.
    if (room > 0) this.chunks.push(chunk.subarray(0, room))
    this.size += Math.max(0, room)
    this.succeed(true)
    this.abort?.(abandoned)
    return false
  }

  onComplete(): void {
    if (!this.settled) this.succeed(false)
  }

  onError(error: Error): void {
    this.fail(error)
  }

  fail(error: unknown): void {
    if (this.settled) return
    const requestId = this.headers["x-request-id"]
    // Once the status line has arrived, it was the body that broke off.
    const reason = this.status === 0 ? "Connection" : "Body"
    this.settle()
    this.finish(Effect.fail(
      new TransportFailure({
        reason,
        description: describe(error),
        requestId: requestId === "" ? undefined : requestId
      })
    ))
  }

  /** Gives up the exchange: aborts it (now, or as soon as undici starts it) and ignores what follows. */
  abandon(): void {
    if (this.settled) return
    this.settle()
    this.resume = noop
    this.abort?.(abandoned)
  }

  /** Fails with reason Timeout unless settled within `millis`. */
  startTimer(millis: number): void {
    this.timer = setTimeout(() => {
      if (this.settled) return
      this.settle()
      this.abort?.(abandoned)
      this.finish(Effect.fail(new TransportFailure({ reason: "Timeout", description: "" })))
    }, millis)
  }

  // Resumes the fiber, and lets go of it: undici keeps the handler a while.
  private finish(effect: Effect.Effect<Response, TransportFailure>): void {
    const resume = this.resume
    this.resume = noop
    resume(effect)
  }

  // Once settled, the exchange lets go of what it read: undici keeps the handler a while.
  private settle(): void {
    this.settled = true
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.chunks = []
    this.headers = {}
  }

  private succeed(truncated: boolean): void {
    const { chunks, headers, size, status } = this
    this.settle()
    const text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)).toString("utf8")
    this.finish(Effect.succeed({
      status,
      headers,
      // As a decoder with the default options reads text: without a byte order mark.
      body: text.charCodeAt(0) === BOM ? text.slice(1) : text,
      truncated
    }))
  }
}

/** @internal */
export const make = (options: {
  readonly dispatcher: Undici.Dispatcher
  readonly credentials: Credentials.AccessKey | Credentials.Service
  readonly projectId: string | undefined
  readonly algorithm: signing.SigningAlgorithm | undefined
}): Transport => {
  const { algorithm, dispatcher, projectId } = options
  const source = options.credentials
  // A client has one endpoint: it is parsed once.
  let lastEndpoint: readonly [string, Endpoint | undefined] = ["", undefined]
  const endpointOf = (text: string): Endpoint | undefined => {
    if (text !== lastEndpoint[0]) lastEndpoint = [text, parseEndpoint(text)]
    return lastEndpoint[1]
  }

  const exchange = (
    request: Request,
    origin: string,
    path: string,
    headers: Record<string, string>,
    timeoutMillis: number | undefined
  ) =>
    Effect.async<Response, TransportFailure>((resume) => {
      const handler = new Exchange(request.maxBodyBytes, resume)
      if (timeoutMillis !== undefined) handler.startTimer(timeoutMillis)
      try {
        dispatcher.dispatch({
          origin,
          path,
          method: request.method,
          headers,
          body: request.body ?? null,
          // Timeouts are the client's (the attempt's), as in @effect/platform-node.
          headersTimeout: 60 * 60 * 1000,
          bodyTimeout: 0
        }, handler)
      } catch (error) {
        // Invalid options (a header value undici refuses): nothing was sent.
        handler.fail(error)
      }
      return Effect.sync(() => handler.abandon())
    })

  return {
    send: (request, timeoutMillis) => {
      const endpoint = endpointOf(request.endpoint)
      if (endpoint === undefined) {
        return Effect.fail(new TransportFailure({ reason: "Connection", description: "the endpoint is not a URL" }))
      }
      const wire: signer.WireRequest = {
        method: request.method,
        host: endpoint.host,
        path: endpoint.pathPrefix + request.path,
        query: request.query,
        headers: request.body === undefined
          ? request.headers
          : { ...request.headers, "content-type": "application/json" },
        body: request.body
      }
      const path = wire.path + signer.wireQuery(wire.query)
      const signed = "resolve" in source
        ? Effect.flatMap(
          Effect.mapError(source.resolve, (error) =>
            // No usable credentials: nothing is sent.
            new TransportFailure({ reason: "Credentials", description: error.message })),
          (credentials) =>
            Effect.map(
              Clock.currentTimeMillis,
              (now) => signer.signWire(wire, { credentials, projectId, algorithm, now })
            )
        )
        : Effect.map(
          Clock.currentTimeMillis,
          (now) => signer.signWire(wire, { credentials: source, projectId, algorithm, now })
        )
      return Effect.flatMap(signed, (headers) => exchange(request, endpoint.origin, path, headers, timeoutMillis))
    }
  }
}

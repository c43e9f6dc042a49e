/**
 * The one HTTP exchange the live client needs: send a request, read its answer's body. The client
 * does everything else (validation, retries, decoding, typed errors, spans, paging).
 *
 * `DcsClient.layer` sends through any `HttpClient` (see {@link fromHttpClient}). A platform may
 * instead give the client a transport of its own with `DcsClient.fromTransport`:
 * `@effect-dcs/node` does, signing each attempt and sending it with undici directly, without the
 * request and response objects, the abort controller and the fiber per attempt an `HttpClient`
 * costs — a stream of pages spends most of its time there.
 *
 * @example
 * ```ts
 * import { DcsClient, DcsTransport } from "@effect-dcs/core"
 * import { FetchHttpClient, HttpClient } from "@effect/platform"
 * import { Effect, Layer } from "effect"
 *
 * // A transport around another: here it counts the attempts sent.
 * const counted = (inner: DcsTransport.Transport, sent: { count: number }): DcsTransport.Transport => ({
 *   send: (request, timeoutMillis) =>
 *     Effect.suspend(() => {
 *       sent.count++
 *       return inner.send(request, timeoutMillis)
 *     })
 * })
 *
 * const sent = { count: 0 }
 * const DcsLive = Layer.effect(
 *   DcsClient.DcsClient,
 *   Effect.map(HttpClient.HttpClient, (client) =>
 *     DcsClient.fromTransport(
 *       { endpoint: "https://dcs.cn-north-4.myhuaweicloud.com", projectId: "0a1b2c3d4e5f60718293a4b5c6d7e8f9" },
 *       counted(DcsTransport.fromHttpClient(client), sent)
 *     ))
 * ).pipe(Layer.provide(FetchHttpClient.layer))
 * ```
 *
 * @since 0.2.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as internal from "./internal/httpClientTransport.js"

/**
 * A request as the client sends it.
 *
 * @since 0.2.0
 * @category models
 */
export interface Request {
  readonly method: "GET" | "POST" | "DELETE"
  /** The endpoint as configured, without a trailing slash, e.g. `https://dcs.cn-north-4.myhuaweicloud.com`. */
  readonly endpoint: string
  /** The path below the endpoint, each segment already percent-encoded (RFC 3986), e.g. `/v2/{project}/instances`. */
  readonly path: string
  /** The query parameters, in order, not encoded. */
  readonly query: ReadonlyArray<readonly [string, string]>
  /** The headers, names in lower case. */
  readonly headers: Readonly<Record<string, string>>
  /** A JSON body, sent with `content-type: application/json`; `undefined` for none. */
  readonly body: string | undefined
  /**
   * The most of the answer's body to read, by status: a longer body is cut there (the connection
   * is then closed) and the response says `truncated`.
   */
  readonly maxBodyBytes: (status: number) => number
}

/**
 * An answer, its body read.
 *
 * @since 0.2.0
 * @category models
 */
export interface Response {
  readonly status: number
  /** The headers, names in lower case; a repeated header's values joined with `, `. */
  readonly headers: Readonly<Record<string, string | undefined>>
  /** The body as UTF-8 text, at most `maxBodyBytes(status)` bytes of it. */
  readonly body: string
  /** Whether the body was longer than `maxBodyBytes(status)` and was cut. */
  readonly truncated: boolean
}

/**
 * Why an exchange did not complete. The client turns it into a `DcsTransportError` with the
 * request's method and URL (and redacts the description).
 *
 * @since 0.2.0
 * @category errors
 */
export class TransportFailure extends Schema.TaggedError<TransportFailure>()("TransportFailure", {
  /**
   * `Connection`: no answer (refused, reset, DNS…); `Body`: the answer broke off; `Timeout`: the
   * exchange outlived its time; `Credentials`: no usable credentials to sign with, nothing sent.
   */
  reason: Schema.Literal("Timeout", "Connection", "Body", "Credentials"),
  description: Schema.String,
  /** The `X-Request-Id`, when an answer had started to arrive. */
  requestId: Schema.optional(Schema.String)
}) {}

/**
 * Sends requests.
 *
 * @since 0.2.0
 * @category models
 */
export interface Transport {
  /**
   * Sends `request` and reads its answer. When `timeoutMillis` is given, the whole exchange
   * (connecting, the answer, its body) must end within that many milliseconds of real time, else
   * it is abandoned and fails with reason `Timeout`. (The client gives it only when it runs on
   * Effect's live Clock; on any other Clock, a `TestClock` say, it bounds the attempt itself.)
   * Interrupting the effect abandons the exchange.
   */
  readonly send: (request: Request, timeoutMillis: number | undefined) => Effect.Effect<Response, TransportFailure>
}

/**
 * A transport over an `HttpClient`: what `DcsClient.layer` uses. The request is built with
 * `HttpClientRequest` (its query in `urlParams`, its body as JSON text), so that an `HttpClient`
 * transformation, such as a signer, sees an ordinary request.
 *
 * @since 0.2.0
 * @category constructors
 */
export const fromHttpClient = (client: HttpClient.HttpClient): Transport => internal.make(client)

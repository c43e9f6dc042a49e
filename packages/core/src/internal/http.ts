import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { DcsDecodeError, type DcsError, DcsTransportError, fromResponse } from "../DcsError.js"
import type * as DcsTransport from "../DcsTransport.js"
import { TransportFailure } from "../DcsTransport.js"
import { excerpt, redact } from "./redact.js"

/** The most a success body may hold; a page of 1,000 tasks is about 200 KB. */
const MAX_SUCCESS_BYTES = 16 * 1024 * 1024
/** The most of an error body that is read. */
const MAX_ERROR_BYTES = 64 * 1024
/** How much of a body an error keeps. */
const EXCERPT_CHARS = 1024
/** Error codes are short (`DCS.4230`); a longer one is cut. */
const MAX_CODE_CHARS = 128

/** @internal */
export interface Answer<A> {
  readonly value: A
  readonly status: number
  readonly requestId: string | undefined
}

/** The `X-Request-Id` of an answer, if it has one. @internal */
export const requestIdOf = (headers: DcsTransport.Response["headers"]): string | undefined => {
  const value = headers["x-request-id"]
  return value === undefined || value === "" ? undefined : value
}

interface ErrorBody {
  readonly errorCode: string
  readonly errorMsg: string
  readonly errorExtMsg: string | undefined
}

const asString = (u: unknown): string | undefined =>
  typeof u === "string" ? u : typeof u === "number" ? String(u) : undefined

/**
 * Reads an error body the way the official SDKs do: `{error_code, error_msg}`, then
 * `{code, message}`, then `{error: {code, message}}`, else the raw text.
 *
 * @internal
 */
const parseErrorBody = (text: string): ErrorBody => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  if (typeof json === "object" && json !== null) {
    const body = json as Record<string, unknown>
    const shapes: ReadonlyArray<readonly [unknown, unknown]> = [
      [body.error_code, body.error_msg],
      [body.code, body.message],
      typeof body.error === "object" && body.error !== null
        ? [(body.error as Record<string, unknown>).code, (body.error as Record<string, unknown>).message]
        : [undefined, undefined]
    ]
    for (const [code, msg] of shapes) {
      const errorCode = asString(code)
      const errorMsg = asString(msg)
      if (errorCode !== undefined || errorMsg !== undefined) {
        const ext = asString(body.error_ext_msg)
        return {
          errorCode: excerpt(errorCode ?? "", MAX_CODE_CHARS),
          errorMsg: excerpt(errorMsg ?? "", EXCERPT_CHARS * 4),
          errorExtMsg: ext === undefined ? undefined : excerpt(ext, EXCERPT_CHARS)
        }
      }
    }
  }
  return { errorCode: "", errorMsg: excerpt(text.trim(), EXCERPT_CHARS), errorExtMsg: undefined }
}

/**
 * `Retry-After` as milliseconds from now: delta-seconds or an HTTP date.
 *
 * @internal
 */
const parseRetryAfter = (value: string | undefined, now: number): number | undefined => {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

const annotateResponse = (status: number, requestId: string | undefined) =>
  Effect.annotateCurrentSpan(
    requestId === undefined
      ? { "http.response.status_code": status }
      : { "http.response.status_code": status, "dcs.request_id": requestId }
  )

const isErrorShaped = (json: unknown): json is Record<string, unknown> =>
  typeof json === "object" && json !== null &&
  ("error_code" in json || "error_msg" in json || ("error" in json && !("total" in json)))

/**
 * The most of an answer's body that is read: a success may be large, an error is only reported.
 *
 * @internal
 */
export const maxBodyBytes = (status: number): number =>
  status >= 200 && status < 300 ? MAX_SUCCESS_BYTES : MAX_ERROR_BYTES

const fromAnswer = <A>(
  response: DcsTransport.Response,
  decode: (json: unknown) => Either.Either<A, string>
): Effect.Effect<Answer<A>, DcsError> => {
  const { body: text, headers, status } = response
  const requestId = requestIdOf(headers)
  if (status < 200 || status >= 300) {
    const parsed = parseErrorBody(text)
    return Effect.zipRight(
      annotateResponse(status, requestId),
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.fail(fromResponse({
          status,
          ...parsed,
          requestId,
          retryAfterMillis: parseRetryAfter(headers["retry-after"], now),
          body: excerpt(text, EXCERPT_CHARS)
        })))
    )
  }
  const decodeError = (reason: string) =>
    Effect.zipRight(
      annotateResponse(status, requestId),
      Effect.fail(new DcsDecodeError({ status, reason, body: excerpt(text, EXCERPT_CHARS), requestId }))
    )
  if (response.truncated) return decodeError(`the body is larger than ${MAX_SUCCESS_BYTES} bytes`)
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    // V8's message quotes the start of the body: redact and bound it like the body.
    return decodeError(`the body is not JSON (${excerpt((error as Error).message, EXCERPT_CHARS)})`)
  }
  let decoded: Either.Either<A, string>
  try {
    decoded = decode(json)
  } catch {
    // Hostile nesting can overflow the stack of the Schema or of its error report.
    return decodeError("the body does not have the documented shape (nested too deeply)")
  }
  if (Either.isRight(decoded)) {
    return Effect.as(annotateResponse(status, requestId), { value: decoded.right, status, requestId })
  }
  if (isErrorShaped(json)) {
    const parsed = parseErrorBody(text)
    return decodeError(
      excerpt(`a ${status} answer carried an error: ${parsed.errorCode}: ${parsed.errorMsg}`, EXCERPT_CHARS * 2)
    )
  }
  return decodeError(excerpt(decoded.left, EXCERPT_CHARS * 2))
}

// The Clock of Effect's default services: its `sleep` is a `setTimeout`.
const liveClock = Effect.runSync(Clock.clockWith(Effect.succeed))
// setTimeout fires at once beyond this; Effect's live Clock splits longer sleeps.
const MAX_TIMER_MILLIS = 2 ** 31 - 1

/**
 * Sends a request and decodes a 2xx JSON answer with `decode`; every other outcome is a typed
 * error. The whole attempt (connect, answer, body) is bounded by `timeout`: on the live Clock by
 * the transport's own timer (no fiber, no race), on any other Clock (`TestClock`, a user's) by
 * `Effect.timeoutFail` on that Clock.
 *
 * @internal
 */
export const executeJson = <A>(
  transport: DcsTransport.Transport,
  request: DcsTransport.Request,
  decode: (json: unknown) => Either.Either<A, string>,
  timeout: Duration.Duration
): Effect.Effect<Answer<A>, DcsError> =>
  Clock.clockWith((clock) => {
    const millis = Duration.toMillis(timeout)
    const exchange = clock === liveClock && millis <= MAX_TIMER_MILLIS
      ? transport.send(request, millis)
      : Effect.timeoutFail(transport.send(request, undefined), {
        duration: timeout,
        onTimeout: () => new TransportFailure({ reason: "Timeout", description: "" })
      })
    return Effect.matchEffect(exchange, {
      onFailure: (failure) =>
        Effect.fail(
          new DcsTransportError({
            reason: failure.reason,
            method: request.method,
            url: request.endpoint + request.path,
            description: failure.reason === "Timeout"
              ? `no complete answer within ${Duration.format(timeout)}`
              : redact(failure.description),
            requestId: failure.requestId
          })
        ),
      onSuccess: (response) => fromAnswer(response, decode)
    })
  })

import type * as Headers from "@effect/platform/Headers"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import { DcsDecodeError, type DcsError, DcsTransportError, fromResponse, isCredentialsFailure } from "../DcsError.js"
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

const describeUrl = (request: HttpClientRequest.HttpClientRequest): string => request.url

const transportError = (
  request: HttpClientRequest.HttpClientRequest,
  reason: DcsTransportError["reason"],
  description: string,
  requestId?: string | undefined
) =>
  new DcsTransportError({
    reason,
    method: request.method,
    url: describeUrl(request),
    description: redact(description),
    requestId
  })

const describeCause = (error: HttpClientError.HttpClientError): string => {
  const cause = error.cause
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code
    const inner = (cause as { cause?: unknown }).cause
    const innerText = inner instanceof Error ? `: ${inner.message}` : ""
    return `${typeof code === "string" ? code + " " : ""}${cause.message}${innerText}`
  }
  return error.description ?? error.reason
}

/** @internal */
export const requestIdOf = (headers: Headers.Headers): string | undefined => {
  const value = headers["x-request-id"]
  return value === undefined || value === "" ? undefined : value
}

/**
 * Reads at most `max` bytes of a body. A body with a trustworthy length is read in one go; a
 * chunked one is read until the limit and the rest is abandoned (the connection is aborted).
 *
 * @internal
 */
export const readBounded = (
  request: HttpClientRequest.HttpClientRequest,
  response: HttpClientResponse.HttpClientResponse,
  max: number,
  headers: Headers.Headers = response.headers
): Effect.Effect<{ readonly text: string; readonly truncated: boolean }, DcsTransportError> => {
  const length = Number(headers["content-length"])
  const onError = (error: HttpClientError.ResponseError) =>
    transportError(request, "Body", describeCause(error), requestIdOf(headers))
  if (Number.isFinite(length) && length <= max) {
    return Effect.mapBoth(response.text, { onFailure: onError, onSuccess: (text) => ({ text, truncated: false }) })
  }
  return response.stream.pipe(
    Stream.runFoldWhile(
      { chunks: Chunk.empty<Uint8Array>(), size: 0 },
      (state) => state.size <= max,
      (state, chunk) => ({ chunks: Chunk.append(state.chunks, chunk), size: state.size + chunk.length })
    ),
    Effect.mapBoth({
      onFailure: onError,
      onSuccess: ({ chunks, size }) => {
        const bytes = new Uint8Array(size)
        let at = 0
        for (const chunk of chunks) {
          bytes.set(chunk, at)
          at += chunk.length
        }
        const truncated = size > max
        return { text: decoder.decode(truncated ? bytes.subarray(0, max) : bytes), truncated }
      }
    })
  )
}

const decoder = new TextDecoder()

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
export const parseErrorBody = (text: string): ErrorBody => {
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
export const parseRetryAfter = (value: string | undefined, now: number): number | undefined => {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

const failWithStatus = (
  request: HttpClientRequest.HttpClientRequest,
  response: HttpClientResponse.HttpClientResponse,
  headers: Headers.Headers
): Effect.Effect<never, DcsError> =>
  Effect.flatMap(
    Effect.zip(readBounded(request, response, MAX_ERROR_BYTES, headers), Clock.currentTimeMillis),
    ([{ text }, now]) => {
      const parsed = parseErrorBody(text)
      return Effect.fail(fromResponse({
        status: response.status,
        ...parsed,
        requestId: requestIdOf(headers),
        retryAfterMillis: parseRetryAfter(headers["retry-after"], now),
        body: excerpt(text, EXCERPT_CHARS)
      }))
    }
  )

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
 * Sends a request and decodes a 2xx JSON answer with `decode`; every other outcome is a typed
 * error. The whole attempt (connect, answer, body) is bounded by `timeout`.
 *
 * @internal
 */
export const executeJson = <A>(
  client: HttpClient.HttpClient,
  request: HttpClientRequest.HttpClientRequest,
  decode: (json: unknown) => Either.Either<A, string>,
  timeout: Duration.Duration
): Effect.Effect<Answer<A>, DcsError> =>
  client.execute(request).pipe(
    Effect.mapError((error) =>
      // A signer that had no usable credentials sent nothing.
      transportError(
        request,
        isCredentialsFailure(error.cause) ? "Credentials" : "Connection",
        describeCause(error)
      )
    ),
    Effect.flatMap((response) => {
      // A transport may build the Headers anew on every access (@effect/platform-node's undici
      // client does): read them once.
      const headers = response.headers
      const status = response.status
      const requestId = requestIdOf(headers)
      if (status < 200 || status >= 300) {
        return Effect.zipRight(annotateResponse(status, requestId), failWithStatus(request, response, headers))
      }
      const body = Effect.flatMap(readBounded(request, response, MAX_SUCCESS_BYTES, headers), ({ text, truncated }) => {
        const decodeError = (reason: string) =>
          Effect.fail(new DcsDecodeError({ status, reason, body: excerpt(text, EXCERPT_CHARS), requestId }))
        if (truncated) return decodeError(`the body is larger than ${MAX_SUCCESS_BYTES} bytes`)
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
        if (Either.isRight(decoded)) return Effect.succeed({ value: decoded.right, status, requestId })
        if (isErrorShaped(json)) {
          const parsed = parseErrorBody(text)
          return decodeError(
            excerpt(`a ${status} answer carried an error: ${parsed.errorCode}: ${parsed.errorMsg}`, EXCERPT_CHARS * 2)
          )
        }
        return decodeError(excerpt(decoded.left, EXCERPT_CHARS * 2))
      })
      return Effect.zipRight(annotateResponse(status, requestId), body)
    }),
    timeoutFail(
      timeout,
      () => transportError(request, "Timeout", `no complete answer within ${Duration.format(timeout)}`)
    )
  )

// The Clock of Effect's default services: its `sleep` is a `setTimeout`.
const liveClock = Effect.runSync(Clock.clockWith(Effect.succeed))
// setTimeout fires at once beyond this; Effect's live Clock splits longer sleeps.
const MAX_TIMER_MILLIS = 2 ** 31 - 1

/**
 * `Effect.timeoutFail`, at less than half its cost on the live Clock. `Effect.timeoutFail` races
 * the effect against a sleep: two forked fibers and the race's machinery on every attempt (a
 * seventh of the time of a stream of pages). On the live Clock the sleep is a `setTimeout`: this
 * forks only the effect and sets the timer itself; on expiry it interrupts the effect, waits for
 * it to stop, and fails, as `Effect.timeoutFail` does. On any other Clock (`TestClock`, a user's)
 * or beyond setTimeout's range, it is `Effect.timeoutFail`.
 *
 * @internal
 */
export const timeoutFail =
  <E2>(duration: Duration.Duration, onTimeout: () => E2) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E | E2, R> =>
    Clock.clockWith((clock) => {
      const millis = Duration.toMillis(duration)
      if (clock !== liveClock || !(millis <= MAX_TIMER_MILLIS)) {
        return Effect.timeoutFail(self, { duration, onTimeout })
      }
      // The fiber runs `Effect.exit(self)`: a failure is the caller's to handle, and the runtime would
      // log a fiber that fails as an unhandled error.
      return Effect.flatMap(Effect.fork(Effect.exit(self)), (fiber) =>
        Effect.async<A, E | E2>((resume) => {
          let settled = false
          const timer = setTimeout(() => {
            if (settled) return
            settled = true
            resume(Effect.zipRight(Fiber.interrupt(fiber), Effect.fail(onTimeout())))
          }, millis)
          fiber.addObserver((exit) => {
            if (settled) return
            settled = true
            clearTimeout(timer)
            // Failure only when the fiber itself was interrupted (Effect.exit keeps every other cause).
            resume(Exit.isSuccess(exit) ? exit.value : Exit.failCause(exit.cause))
          })
          // Interrupted while waiting: stop the timer and the effect.
          return Effect.suspend(() => {
            settled = true
            clearTimeout(timer)
            return Fiber.interrupt(fiber)
          })
        }))
    })

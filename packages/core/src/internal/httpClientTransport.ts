/**
 * The transport over an `HttpClient` (`DcsTransport.fromHttpClient`): what `DcsClient.layer`
 * sends with.
 */
import type * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import { isCredentialsFailure } from "../DcsError.js"
import { type Transport, TransportFailure } from "../DcsTransport.js"
import { requestIdOf } from "./http.js"

const describeCause = (error: HttpClientError.HttpClientError): string => {
  const cause = error.cause
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code
    const inner = (cause as { cause?: unknown }).cause
    const innerText = inner instanceof Error ? `: ${inner.message}` : ""
    // "connect ECONNREFUSED 127.0.0.1:1" names its code already.
    const prefix = typeof code === "string" && !cause.message.includes(code) ? code + " " : ""
    return `${prefix}${cause.message}${innerText}`
  }
  return error.description ?? error.reason
}

const decoder = new TextDecoder()

/**
 * Reads at most `max` bytes of a body. A body with a trustworthy length is read in one go; a
 * chunked one is read until the limit and the rest is abandoned (the connection is aborted).
 */
const readBounded = (
  response: HttpClientResponse.HttpClientResponse,
  max: number,
  headers: Headers.Headers
): Effect.Effect<{ readonly text: string; readonly truncated: boolean }, TransportFailure> => {
  const length = Number(headers["content-length"])
  const onError = (error: HttpClientError.ResponseError) =>
    new TransportFailure({ reason: "Body", description: describeCause(error), requestId: requestIdOf(headers) })
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

/**
 * Bounds `self` by `millis` of real time, as `Effect.timeoutFail` does on the live Clock, at less
 * than half its cost: `Effect.timeoutFail` races the effect against a sleep (two forked fibers and
 * the race's machinery); this forks only the effect and sets the timer itself. On expiry it
 * interrupts the effect, waits for it to stop, and fails.
 */
const timeoutFail = <A, E, E2>(
  self: Effect.Effect<A, E>,
  millis: number,
  onTimeout: () => E2
): Effect.Effect<A, E | E2> =>
  // The fiber runs `Effect.exit(self)`: a failure is the caller's to handle, and the runtime would
  // log a fiber that fails as an unhandled error.
  Effect.flatMap(Effect.fork(Effect.exit(self)), (fiber) =>
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

/** @internal */
export const make = (client: HttpClient.HttpClient): Transport => {
  // The client's call span carries the HTTP attributes. The platform's own client span would end
  // with the signed request (security token included) in its exit, for any tracer to print.
  const httpClient = HttpClient.withTracerDisabledWhen(client, () => true)
  return {
    send: (request, timeoutMillis) => {
      const base = HttpClientRequest.make(request.method)(request.endpoint + request.path, {
        headers: request.headers,
        urlParams: request.query
      })
      const httpRequest = request.body === undefined
        ? base
        : HttpClientRequest.bodyText(base, request.body, "application/json")
      const exchange = httpClient.execute(httpRequest).pipe(
        Effect.mapError((error) =>
          // A signer that had no usable credentials sent nothing.
          new TransportFailure({
            reason: isCredentialsFailure(error.cause) ? "Credentials" : "Connection",
            description: describeCause(error)
          })
        ),
        Effect.flatMap((response) => {
          // A transport may build the Headers anew on every access: read them once.
          const headers = response.headers
          const status = response.status
          return Effect.map(
            readBounded(response, request.maxBodyBytes(status), headers),
            ({ text, truncated }) => ({ status, headers, body: text, truncated })
          )
        })
      )
      return timeoutMillis === undefined
        ? exchange
        : timeoutFail(exchange, timeoutMillis, () => new TransportFailure({ reason: "Timeout", description: "" }))
    }
  }
}

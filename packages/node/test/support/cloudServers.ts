/**
 * Loopback stand-ins for the cloud services around DCS: the ECS metadata service (temporary
 * credentials) and IAM (the project list, behind a signature-verifying gateway, like the
 * emulator). Each is closed when the test's scope closes.
 */
import { Effect, type Scope } from "effect"
import * as Fs from "node:fs/promises"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import * as Os from "node:os"
import * as Path from "node:path"
import { type VerifyResult, verifySignature } from "../../src/internal/signing.js"
import { closedPort, listen } from "./rawServer.js"

const readBody = (request: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => resolve(Buffer.concat(chunks)))
    request.on("error", reject)
  })

const send = (response: ServerResponse, status: number, body: string, type = "application/json") => {
  response.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body) })
  response.end(body)
}

const header = (request: IncomingMessage, name: string): string | undefined => {
  const value = request.headers[name]
  return Array.isArray(value) ? value.join(", ") : value
}

// ---------------------------------------------------------------------------------------------
// ECS metadata
// ---------------------------------------------------------------------------------------------

/** The credential the metadata service hands out. */
export interface TemporaryCredential {
  readonly access: string
  readonly secret: string
  readonly securitytoken: string
  /** e.g. `2024-10-15T02:21:18.669000Z` */
  readonly expires_at: string
}

export interface MetadataServer {
  readonly url: string
  /** `PUT /meta-data/latest/api/token` calls, with their TTL header. */
  readonly tokenCalls: Array<{ readonly ttl: string | undefined }>
  /** `GET /openstack/latest/securitykey` calls, with the session token they carried. */
  readonly keyCalls: Array<{ readonly token: string | undefined }>
  /** What the next securitykey calls answer: a credential, or a raw status and body. */
  answer: TemporaryCredential | { readonly status: number; readonly body: string }
  /** While set, securitykey calls wait until `release()`. */
  hold: () => void
  release: () => void
}

/** A metadata service that requires the session token of the PUT on every GET. */
export const metadataServer = (
  answer: MetadataServer["answer"]
): Effect.Effect<MetadataServer, never, Scope.Scope> =>
  Effect.gen(function*() {
    const issued = new Set<string>()
    let held: Array<() => void> | undefined
    const state: Omit<MetadataServer, "url"> = {
      tokenCalls: [],
      keyCalls: [],
      answer,
      hold: () => {
        held = held ?? []
      },
      release: () => {
        const waiting = held ?? []
        held = undefined
        for (const go of waiting) go()
      }
    }
    const server = createServer((request, response) => {
      void readBody(request).then(() => {
        const path = (request.url ?? "").split("?")[0]
        if (request.method === "PUT" && path === "/meta-data/latest/api/token") {
          const ttl = header(request, "x-metadata-token-ttl-seconds")
          state.tokenCalls.push({ ttl })
          if (ttl !== "21600") return send(response, 400, "bad ttl", "text/plain")
          const token = `session-token-${state.tokenCalls.length}`
          issued.add(token)
          return send(response, 200, token, "text/plain")
        }
        if (request.method === "GET" && path === "/openstack/latest/securitykey") {
          const token = header(request, "x-metadata-token")
          state.keyCalls.push({ token })
          const answerNow = () => {
            if (token === undefined || !issued.has(token)) return send(response, 401, "no session token", "text/plain")
            const current = state.answer
            return "status" in current
              ? send(response, current.status, current.body)
              : send(response, 200, JSON.stringify({ credential: current }))
          }
          if (held !== undefined) held.push(answerNow)
          else answerNow()
          return
        }
        send(response, 404, "not found", "text/plain")
      })
    })
    const url = yield* listen(server)
    return Object.assign(state, { url }) as MetadataServer
  })

/** A loopback URL on which nothing listens (a port that was free a moment ago). */
export const closedUrl: Effect.Effect<string> = Effect.map(closedPort, (port) => `http://127.0.0.1:${port}`)

/** `expires_at` in the metadata service's format, for an instant in epoch milliseconds. */
export const expiresAt = (millis: number): string => new Date(millis).toISOString().replace("Z", "000Z")

// ---------------------------------------------------------------------------------------------
// IAM
// ---------------------------------------------------------------------------------------------

export interface IamRequest {
  readonly method: string
  readonly path: string
  readonly query: string
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly verified: VerifyResult
}

export interface IamServer {
  readonly url: string
  readonly requests: Array<IamRequest>
  /** The projects IAM has, whatever the credentials. */
  projects: ReadonlyArray<{ readonly id: string; readonly name: string }>
  /** When set, every request is answered with this status and body. */
  failWith: { readonly status: number; readonly body: string } | undefined
}

/**
 * IAM's `GET /v3/projects?name=…`, behind a gateway that checks the AK/SK signature like the
 * emulator (with `verifySignature`) and answers 401 `APIGW.0301` otherwise, echoing the security
 * token it received, as a careless gateway might.
 */
export const iamServer = (options: {
  readonly credentials: Readonly<Record<string, string>>
  readonly projects: IamServer["projects"]
  /** The gateway's clock, epoch milliseconds; real time by default. */
  readonly now?: () => number
}): Effect.Effect<IamServer, never, Scope.Scope> =>
  Effect.gen(function*() {
    const state: Omit<IamServer, "url"> = { requests: [], projects: options.projects, failWith: undefined }
    const server = createServer((request, response) => {
      void readBody(request).then((body) => {
        const [path = "", query = ""] = (request.url ?? "").split("?")
        const verified = verifySignature({
          method: request.method ?? "GET",
          path,
          rawQuery: query,
          headers: request.headers,
          body,
          secretFor: (ak) => options.credentials[ak],
          now: (options.now ?? Date.now)()
        })
        const headers: Record<string, string | undefined> = {}
        for (const name of Object.keys(request.headers)) headers[name] = header(request, name)
        state.requests.push({ method: request.method ?? "", path, query, headers, verified })
        if (state.failWith !== undefined) return send(response, state.failWith.status, state.failWith.body)
        if (verified._tag === "Invalid") {
          return send(
            response,
            401,
            JSON.stringify({
              error_code: "APIGW.0301",
              error_msg: `Incorrect IAM authentication information: ${verified.reason}; x-security-token:${
                headers["x-security-token"] ?? ""
              }`
            })
          )
        }
        if (request.method !== "GET" || path !== "/v3/projects") return send(response, 404, "{}")
        const name = new URLSearchParams(query).get("name")
        const projects = state.projects.filter((project) => name === null || project.name === name)
        send(response, 200, JSON.stringify({ projects, links: { self: `${path}?${query}` } }))
      })
    })
    const url = yield* listen(server)
    return Object.assign(state, { url }) as IamServer
  })

// ---------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------

/** A temporary directory, removed with everything in it when the scope closes. */
export const tempDir: Effect.Effect<string, never, Scope.Scope> = Effect.acquireRelease(
  Effect.promise(() => Fs.mkdtemp(Path.join(Os.tmpdir(), "effect-dcs-credentials-"))),
  (dir) => Effect.promise(() => Fs.rm(dir, { recursive: true, force: true }))
)

/** Writes `~/.huaweicloud/credentials` under `home` and answers its path. */
export const writeProfile = (home: string, text: string): Effect.Effect<string> =>
  Effect.promise(async () => {
    const dir = Path.join(home, ".huaweicloud")
    await Fs.mkdir(dir, { recursive: true })
    const file = Path.join(dir, "credentials")
    await Fs.writeFile(file, text)
    return file
  })

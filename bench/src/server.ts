/**
 * The loopback DCS list API the benchmarks page through, run in its own process (see
 * serverProcess.ts) so that serving is not measured with the client.
 *
 * It answers `GET /v2/{project_id}/instances/{instance_id}/offline/key-analysis?offset=&limit=`
 * as the real API does: snake_case JSON `{instance_id, total, records}`, `Content-Type:
 * application/json;charset=UTF-8`, an `X-Request-Id` on every answer, and `{error_code,
 * error_msg}` bodies for errors. The pages of a "prebuilt" dataset are serialized once at start-up
 * and written from those buffers. It does NOT verify signatures (every contender signs its
 * requests; checking them is the emulator's job, not the benchmark's) and ignores `status`.
 *
 * Started with the datasets as JSON in argv[2]; sends `{ port }` over IPC once listening.
 */
import * as Crypto from "node:crypto"
import * as Http from "node:http"
import { type Dataset, jitterDelay, pageBody, pageSize } from "./fixtures.js"

interface Served {
  readonly dataset: Dataset
  /** The body of the page at offset `i * pageSize`, for pages of `pageSize`. */
  readonly pages: ReadonlyArray<Buffer> | undefined
}

const datasets = JSON.parse(process.argv[2] ?? "[]") as ReadonlyArray<Dataset>
const served = new Map<string, Served>()
for (const dataset of datasets) {
  const pages: Array<Buffer> = []
  if (dataset.prebuilt) {
    for (let offset = 0; offset < dataset.total; offset += pageSize) {
      pages.push(Buffer.from(pageBody(dataset.instanceId, dataset.total, offset, pageSize)))
    }
  }
  served.set(dataset.instanceId, { dataset, pages: dataset.prebuilt ? pages : undefined })
}

const LIST_PATH = /^\/v2\/([^/]+)\/instances\/([^/]+)\/offline\/key-analysis$/

const requestId = () => Crypto.randomUUID().replaceAll("-", "")

const send = (response: Http.ServerResponse, status: number, body: Buffer) => {
  response.writeHead(status, {
    "content-type": "application/json;charset=UTF-8",
    "content-length": body.length,
    "x-request-id": requestId(),
    "server": "api-gateway"
  })
  response.end(body)
}

const error = (code: string, message: string) =>
  Buffer.from(JSON.stringify({ error_msg: message, error_code: code, error_ext_msg: null }))

const integerParam = (params: URLSearchParams, name: string, fallback: number): number | undefined => {
  const raw = params.get(name)
  if (raw === null) return fallback
  const value = Number(raw)
  return Number.isInteger(value) && value >= 0 ? value : undefined
}

const answer = (request: Http.IncomingMessage): readonly [number, Buffer, number] => {
  const url = request.url ?? "/"
  const queryAt = url.indexOf("?")
  const path = queryAt === -1 ? url : url.slice(0, queryAt)
  const match = LIST_PATH.exec(path)
  if (request.method !== "GET" || match === null) {
    return [404, error("APIGW.0101", "The API does not exist or has not been published in the environment"), 0]
  }
  const entry = served.get(decodeURIComponent(match[2]!))
  if (entry === undefined) return [404, error("DCS.4401", "The instance does not exist."), 0]
  const params = new URLSearchParams(queryAt === -1 ? "" : url.slice(queryAt + 1))
  const offset = integerParam(params, "offset", 0)
  const limit = integerParam(params, "limit", 10)
  if (offset === undefined || limit === undefined) {
    return [400, error("DCS.4800", "Invalid offset or limit."), entry.dataset.delayMillis]
  }
  const { dataset, pages } = entry
  const prebuilt = pages !== undefined && limit === pageSize && offset % pageSize === 0
    ? pages[offset / pageSize]
    : undefined
  const body = prebuilt ?? Buffer.from(pageBody(dataset.instanceId, dataset.total, offset, limit))
  const delay = dataset.jitterMillis === undefined ? dataset.delayMillis : jitterDelay(offset, dataset.jitterMillis)
  return [200, body, delay]
}

const server = Http.createServer({ keepAliveTimeout: 60_000 }, (request, response) => {
  // The request has no body; drain it anyway so the connection stays usable.
  request.resume()
  const [status, body, delay] = answer(request)
  if (delay > 0) setTimeout(() => send(response, status, body), delay)
  else send(response, status, body)
})
server.headersTimeout = 65_000

server.listen(0, "127.0.0.1", () => {
  const address = server.address()
  if (address === null || typeof address === "string") throw new Error("no TCP address")
  process.send?.({ port: address.port })
})

process.on("disconnect", () => process.exit(0))

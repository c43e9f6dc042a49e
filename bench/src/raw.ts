/**
 * The floor: a hand-written paging loop on undici that signs each request (with the pure signing
 * functions of @effect-dcs/node) and only `JSON.parse`s the answers. No validation, no records,
 * no error handling beyond the status code, no retries, no timeout.
 */
import * as Undici from "undici"
import * as Signing from "../../packages/node/src/internal/signing.js"
import { accessKeyId, projectId, secretAccessKey } from "./fixtures.js"

const SIGNED_HEADERS = ["host", "x-project-id", "x-sdk-date"]

export const makeRawClient = (endpoint: string) => {
  const agent = new Undici.Agent({ keepAliveTimeout: 60_000 })
  const url = new URL(endpoint)
  const host = url.host

  const listPage = async (instanceId: string, offset: number, limit: number) => {
    const path = `/v2/${projectId}/instances/${instanceId}/offline/key-analysis`
    const query = `offset=${offset}&limit=${limit}`
    const sdkDate = Signing.formatSdkDate(Date.now())
    const headers: Record<string, string> = { host, "x-project-id": projectId, "x-sdk-date": sdkDate }
    const canonical = Signing.canonicalRequest({
      method: "GET",
      path,
      query: [["offset", String(offset)], ["limit", String(limit)]],
      headers,
      signedHeaders: SIGNED_HEADERS,
      payloadHash: Signing.EMPTY_BODY_SHA256
    })
    const signature = Signing.hmacSignature(secretAccessKey, Signing.stringToSign(sdkDate, canonical))
    headers["authorization"] = Signing.authorizationHeader(accessKeyId, SIGNED_HEADERS, signature)
    headers["accept"] = "application/json"
    const response = await Undici.request(`${endpoint}${path}?${query}`, { dispatcher: agent, method: "GET", headers })
    const text = await response.body.text()
    if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}: ${text}`)
    return JSON.parse(text) as { readonly total: number; readonly records: ReadonlyArray<unknown> }
  }

  return {
    /** Pages from offset 0 to `total`, sequentially; returns how many records it received. */
    streamAll: async (instanceId: string, pageSize: number): Promise<number> => {
      let offset = 0
      let received = 0
      for (;;) {
        const page = await listPage(instanceId, offset, pageSize)
        received += page.records.length
        offset += page.records.length
        if (page.records.length === 0 || offset >= page.total) return received
      }
    },
    close: () => agent.close()
  }
}

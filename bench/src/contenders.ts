/**
 * Every contender of every benchmark, by id. Each runs in a worker process of its own (see
 * worker.ts), so that one contender's garbage and JIT state do not weigh on another's.
 */
import { ListOfflineKeyAnalysisTasksResponse } from "@effect-dcs/core/OfflineKeyAnalysis"
import * as NodeDcsClient from "@effect-dcs/node/NodeDcsClient"
import * as Signer from "@effect-dcs/node/Signer"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { decodeListResponse } from "../../packages/core/src/internal/decodeList.js"
import { accessKeyId, datasets, pageBody, pageSize, projectId, secretAccessKey } from "./fixtures.js"
import type { OfficialSignRequest } from "./official.js"
import { makeOurClient } from "./ours.js"
import { makeRawClient } from "./raw.js"

export interface Runner {
  /** Runs once; returns how many units of work it did (signatures, records). */
  readonly run: () => Promise<number> | number
  /** Brings the JIT to its steady state before the warm-up runs, when those are too short to. */
  readonly warm?: () => Promise<void>
  readonly close?: () => Promise<void> | void
}

/** The URL of a dataset's list resource on the bench server. */
export const listUrl = (endpoint: string, instanceId: string): string =>
  `${endpoint}/v2/${projectId}/instances/${instanceId}/offline/key-analysis`

const credentials = { accessKeyId, secretAccessKey: Redacted.make(secretAccessKey) }

// ---------------------------------------------------------------------------------------------
// 1. Signing the DCS list request
// ---------------------------------------------------------------------------------------------

const SIGNATURES_OURS = 50_000
const SIGNATURES_OFFICIAL = 20_000

const signingOurs = (endpoint: string): Runner => {
  // The request DcsClient builds for a page, before signing.
  const request = HttpClientRequest.get(listUrl(endpoint, datasets.stream.instanceId), {
    headers: { accept: "application/json", "user-agent": NodeDcsClient.userAgent },
    urlParams: [["offset", "300"], ["limit", String(pageSize)]]
  })
  let checksum = 0
  return {
    run: () => {
      for (let i = 0; i < SIGNATURES_OURS; i++) {
        const signed = Signer.signRequest(request, { credentials, projectId, now: Date.now() })
        checksum += signed.headers["authorization"]!.length
      }
      return checksum > 0 ? SIGNATURES_OURS : 0
    }
  }
}

// The official SDK (axios, lodash, moment...) is loaded only in the workers that run it.
const loadOfficial = () => import("./official.js")

const signingOfficial = async (endpoint: string): Promise<Runner> => {
  const { AKSKSigner, officialCredentials } = await loadOfficial()
  // What HcClient hands to AKSKSigner.sign for the same page: HcClient.buildRequest, then
  // BaseCredentials.processAuthRequest (the full endpoint, X-Project-Id).
  const request: OfficialSignRequest = {
    method: "GET",
    endpoint: listUrl(endpoint, datasets.stream.instanceId),
    queryParams: { offset: 300, limit: pageSize },
    headers: { "content-type": "application/json", "X-Project-Id": projectId }
  }
  const credential = officialCredentials()
  let checksum = 0
  return {
    run: () => {
      for (let i = 0; i < SIGNATURES_OFFICIAL; i++) {
        checksum += AKSKSigner.sign(request, credential)["Authorization"]!.length
      }
      return checksum > 0 ? SIGNATURES_OFFICIAL : 0
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 2. Streaming 100,000 tasks; 3. latency-bound paging
// ---------------------------------------------------------------------------------------------

const streamOurs = (instanceId: string, concurrency: number) => (endpoint: string): Runner => {
  const client = makeOurClient(endpoint)
  return { run: () => client.streamAll(instanceId, concurrency), close: client.close }
}

// A latency run is 50 pages: a few of them leave the JIT cold, and the CPU time of each page
// (which the concurrent runs overlap least) too high. Stream 100,000 tasks first, as a running
// service would have (the warm-up runs then do the rest).
const latencyOurs = (instanceId: string, concurrency: number) => (endpoint: string): Runner => {
  const client = makeOurClient(endpoint)
  return {
    run: () => client.streamAll(instanceId, concurrency),
    warm: async () => {
      await client.streamAll(datasets.stream.instanceId, concurrency)
    },
    close: client.close
  }
}

const streamRaw = (endpoint: string): Runner => {
  const client = makeRawClient(endpoint)
  return { run: () => client.streamAll(datasets.stream.instanceId, pageSize), close: client.close }
}

// Pages by offset, as a user of the generated DCS client does.
const streamOfficial = async (endpoint: string): Promise<Runner> => {
  const client = (await loadOfficial()).makeOfficialClient(endpoint)
  return {
    run: async () => {
      let offset = 0
      let received = 0
      for (;;) {
        const page = await client.listPage(datasets.stream.instanceId, offset, pageSize)
        const records = page.records ?? []
        received += records.length
        offset += records.length
        if (records.length === 0 || offset >= (page.total ?? 0)) return received
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 5. Decoding a 1,000-record page
// ---------------------------------------------------------------------------------------------

const RECORDS = 1_000
const pageText = pageBody("dcs-bench-decode", 5_000, 1_000, RECORDS)

const decoding = (pages: number, decodeOne: (text: string) => number): Runner => ({
  run: () => {
    let records = 0
    for (let i = 0; i < pages; i++) records += decodeOne(pageText)
    return records
  }
})

const parsedPage: unknown = JSON.parse(pageText)
const decodeSchema = Schema.decodeUnknownSync(ListOfflineKeyAnalysisTasksResponse)
const recordsOf = (json: unknown) => (json as { readonly records: ReadonlyArray<unknown> }).records.length

export const contenders: Record<string, (endpoint: string) => Runner | Promise<Runner>> = {
  "signing/ours": signingOurs,
  "signing/official": signingOfficial,
  "stream/ours": streamOurs(datasets.stream.instanceId, 1),
  "stream/ours-concurrency-4": streamOurs(datasets.stream.instanceId, 4),
  "stream/raw": streamRaw,
  "stream/official": streamOfficial,
  "latency/1": latencyOurs(datasets.latency.instanceId, 1),
  "latency/4": latencyOurs(datasets.latency.instanceId, 4),
  "latency/8": latencyOurs(datasets.latency.instanceId, 8),
  "jitter/1": latencyOurs(datasets.jitter.instanceId, 1),
  "jitter/8": latencyOurs(datasets.jitter.instanceId, 8),
  "decode/schema": () => decoding(20, () => decodeSchema(parsedPage).records.length),
  "decode/ours": () => decoding(200, () => Either.getOrThrow(decodeListResponse(parsedPage)).records.length),
  "decode/parse+ours": () =>
    decoding(100, (text) => Either.getOrThrow(decodeListResponse(JSON.parse(text))).records.length),
  "decode/parse": () => decoding(200, (text) => recordsOf(JSON.parse(text)))
}

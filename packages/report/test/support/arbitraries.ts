// Reports for property tests: generated from a "ground truth" (every key of a node) the way the
// service builds them, top-N lists included, so a test can check a comparison against the truth.
import { BigKey, KeyPrefix, OfflineKeyAnalysisReport, TypeBytes, TypeNum } from "@effect-dcs/core/OfflineKeyAnalysis"
import * as FastCheck from "effect/FastCheck"
import * as Option from "effect/Option"

export const types = ["string", "list", "set", "zset", "hash"] as const

export interface TruthKey {
  readonly key: string
  readonly type: string
  readonly bytes: number
  readonly elements: number
}

/** Every key of a node: a few names, so that two truths share keys. */
export const truth: FastCheck.Arbitrary<ReadonlyArray<TruthKey>> = FastCheck.uniqueArray(
  FastCheck.record({
    key: FastCheck.constantFrom("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"),
    type: FastCheck.constantFrom(...types),
    bytes: FastCheck.integer({ min: 0, max: 2 ** 40 }),
    elements: FastCheck.integer({ min: 1, max: 1_000_000 })
  }),
  { selector: (key) => `${key.type}/${key.key}`, maxLength: 14 }
)

const prefixOf = (key: string): string => `p${key.charCodeAt(0) % 3}:`

/** The report the service would write of `keys`, with lists cut at `top`. */
export const reportOf = (keys: ReadonlyArray<TruthKey>, top: number, nodeId = "node-1"): OfflineKeyAnalysisReport => {
  const prefixes = new Map<string, { keyPrefix: string; type: string; bytes: number; num: number }>()
  for (const key of keys) {
    const id = `${key.type}/${prefixOf(key.key)}`
    const entry = prefixes.get(id) ?? { keyPrefix: prefixOf(key.key), type: key.type, bytes: 0, num: 0 }
    prefixes.set(id, { ...entry, bytes: entry.bytes + key.bytes, num: entry.num + 1 })
  }
  const typeBytes = types.map((type) =>
    new TypeBytes({ type, bytes: keys.filter((key) => key.type === type).reduce((sum, key) => sum + key.bytes, 0) })
  )
  const typeNum = types.map((type) => new TypeNum({ type, num: keys.filter((key) => key.type === type).length }))
  return new OfflineKeyAnalysisReport({
    id: Option.some("task"),
    instanceId: Option.some("instance-1"),
    nodeId: Option.some(nodeId),
    backupId: Option.none(),
    groupName: Option.none(),
    nodeIp: Option.none(),
    nodeIpv6: Option.none(),
    nodeType: Option.none(),
    analysisType: Option.none(),
    startedAt: Option.none(),
    finishedAt: Option.none(),
    totalBytes: Option.some(typeBytes.reduce((sum, entry) => sum + entry.bytes, 0)),
    totalNum: Option.some(keys.length),
    largestKeys: [...keys].sort((a, b) => b.bytes - a.bytes).slice(0, top).map((key) =>
      new BigKey({ key: key.key, type: key.type, bytes: key.bytes, numOfElem: Option.some(key.elements) })
    ),
    largestKeyPrefixes: [...prefixes.values()].sort((a, b) => b.num - a.num).slice(0, top).map((prefix) =>
      new KeyPrefix(prefix)
    ),
    typeBytes,
    typeNum
  })
}

/** A report as the service writes it, with a top-N size of 5 so that cut-offs happen often. */
export const report: FastCheck.Arbitrary<OfflineKeyAnalysisReport> = truth.map((keys) => reportOf(keys, 5))

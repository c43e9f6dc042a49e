// Realistic reports for tests, the browser test and the documentation's screenshots, built as the
// service writes them (snake_case JSON) and decoded with the core's Schema, so they are exactly what
// a user of `showOfflineKeyAnalysisTask` holds.
import * as DcsClientTest from "@effect-dcs/core/DcsClientTest"
import { DcsAnalysisFailed } from "@effect-dcs/core/DcsError"
import type { DcsInstanceNode } from "@effect-dcs/core/DcsInstance"
import { unsupportedReason } from "@effect-dcs/core/DcsInstance"
import * as Fleet from "@effect-dcs/core/Fleet"
import * as InstanceAnalysis from "@effect-dcs/core/InstanceAnalysis"
import { OfflineKeyAnalysisRecord, OfflineKeyAnalysisReport } from "@effect-dcs/core/OfflineKeyAnalysis"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"

const KiB = 1024
const MiB = 1024 * KiB
const GiB = 1024 * MiB

type KeyType = "string" | "list" | "set" | "zset" | "hash"
type WireKey = { key: string; type: KeyType; bytes: number; num_of_elem: number }
type WirePrefix = { key_prefix: string; type: KeyType; bytes: number; num: number }

const types: ReadonlyArray<KeyType> = ["string", "list", "set", "zset", "hash"]

export const decodeReport = Schema.decodeUnknownSync(OfflineKeyAnalysisReport)

export const instanceId = "5f9057b5-c330-4ee2-8138-7e69896eeec3"
export const nodeId = "0c8f9aa1-7dff-454e-85c6-d5503cabd3cd"

const byBytes = (a: { bytes: number }, b: { bytes: number }) => b.bytes - a.bytes

interface Spec {
  readonly id: string
  readonly startedAt: string
  readonly finishedAt: string
  readonly keys: ReadonlyArray<WireKey>
  readonly prefixes: ReadonlyArray<WirePrefix>
  /** Bytes and keys per type outside the listed prefixes. */
  readonly unlisted: Readonly<Record<KeyType, readonly [bytes: number, keys: number]>>
  readonly node?: string
  readonly group?: string
}

const build = (spec: Spec): unknown => {
  const typeBytes = types.map((type) => ({
    type,
    bytes: spec.prefixes.filter((p) => p.type === type).reduce((sum, p) => sum + p.bytes, 0) +
      Math.round(spec.unlisted[type][0])
  }))
  const typeNum = types.map((type) => ({
    type,
    num: spec.prefixes.filter((p) => p.type === type).reduce((sum, p) => sum + p.num, 0) + spec.unlisted[type][1]
  }))
  return {
    id: spec.id,
    instance_id: instanceId,
    node_id: spec.node ?? nodeId,
    backup_id: "2013f6ac-03bc-4905-a7db-3638f25c5b5e",
    group_name: spec.group ?? "group-0",
    node_ip: "192.168.142.63",
    node_ipv6: "2001:db8:ddae::a",
    node_type: "master",
    analysis_type: "new_backup",
    started_at: spec.startedAt,
    finished_at: spec.finishedAt,
    total_bytes: typeBytes.reduce((sum, entry) => sum + entry.bytes, 0),
    total_num: typeNum.reduce((sum, entry) => sum + entry.num, 0),
    largest_key_prefixes: [...spec.prefixes],
    largest_keys: [...spec.keys].sort(byBytes).slice(0, 20),
    type_bytes: typeBytes,
    type_num: typeNum
  }
}

const k = (key: string, type: KeyType, bytes: number, elements: number): WireKey => ({
  key,
  type,
  bytes: Math.round(bytes),
  num_of_elem: elements
})
const p = (prefix: string, type: KeyType, bytes: number, num: number): WirePrefix => ({
  key_prefix: prefix,
  type,
  bytes: Math.round(bytes),
  num
})

const beforeKeys: ReadonlyArray<WireKey> = [
  k("queue:notifications", "list", 1.21 * GiB, 5_657_943),
  k("log:api:2024-10-06", "list", 899.4 * MiB, 1_759_487),
  k("queue:webhooks", "list", 855.0 * MiB, 2_882_633),
  k("queue:payments:retry", "list", 556.1 * MiB, 3_577_640),
  k("leaderboard:2024", "zset", 251.1 * MiB, 3_816_051),
  k("queue:emails", "list", 212.2 * MiB, 2_317_767),
  k("leaderboard:weekly:29", "zset", 88.8 * MiB, 2_070_355),
  k("stats:daily:2024-10-06", "hash", 62.1 * MiB, 1_328_965),
  k("online:users:shard:5", "set", 59.6 * MiB, 1_836_988),
  k("cart:caf797aa", "hash", 52.4 * MiB, 185_589),
  k("stats:daily:2024-10-05", "hash", 41.4 * MiB, 748_717),
  k("timeline:user:78596", "zset", 41.4 * MiB, 487_757),
  k("session:user:32448", "string", 38.5 * MiB, 1),
  k("cache:product:604711", "string", 31.9 * MiB, 1),
  k("timeline:user:77869", "zset", 30.9 * MiB, 568_878),
  k("timeline:user:36141", "zset", 27.1 * MiB, 418_587),
  k("session:user:71848", "string", 23.1 * MiB, 1),
  k("cache:product:118305", "string", 20.1 * MiB, 1),
  k("session:user:26074", "string", 18.7 * MiB, 1),
  k("user:profile:51053", "hash", 12.3 * MiB, 98_114),
  // Below the top 20.
  k("tags:product:771204", "set", 9.8 * MiB, 402_118)
]

const beforePrefixes: ReadonlyArray<WirePrefix> = [
  p("session:", "string", 5.5 * GiB, 6_769_603),
  p("user:token:", "string", 126.0 * MiB, 1_420_302),
  p("cache:product:", "string", 2.1 * GiB, 371_099),
  p("rate:limit:", "string", 10.6 * MiB, 201_194),
  p("log:api:", "list", 2.7 * GiB, 332),
  p("queue:", "list", 2.8 * GiB, 14),
  p("tags:product:", "set", 798.0 * MiB, 465_473),
  p("online:users:", "set", 86.7 * MiB, 44),
  p("timeline:user:", "zset", 1.9 * GiB, 895_267),
  p("leaderboard:", "zset", 373.5 * MiB, 13),
  p("user:profile:", "hash", 1.1 * GiB, 1_492_399),
  p("cart:", "hash", 1.1 * GiB, 1_069_943),
  p("stats:daily:", "hash", 131.1 * MiB, 110)
]

const unlistedBefore: Spec["unlisted"] = {
  string: [1.6 * GiB, 788_597],
  list: [1.3 * GiB, 24],
  set: [106.2 * MiB, 37_241],
  zset: [140.0 * MiB, 161_150],
  hash: [170.4 * MiB, 179_371]
}

/** A node's report on 8 October 2024. */
export const before: OfflineKeyAnalysisReport = decodeReport(build({
  id: "af2f2616-5a88-41cd-924e-42a851214aa1",
  startedAt: "2024-10-08T02:00:04.112Z",
  finishedAt: "2024-10-08T02:03:31.907Z",
  keys: beforeKeys,
  prefixes: beforePrefixes,
  unlisted: unlistedBefore
}))

// A week later: sessions leak (many more keys, the same size each), product cache values bloat, a
// new export queue appears, a weekly leaderboard expired, the webhook queue drained.
const afterKeys: ReadonlyArray<WireKey> = beforeKeys
  .filter((key) => key.key !== "leaderboard:weekly:29" && key.key !== "stats:daily:2024-10-05")
  .map((key) =>
    key.key === "queue:webhooks"
      ? k(key.key, key.type, 96.3 * MiB, 321_003)
      : key.key === "queue:notifications"
      ? k(key.key, key.type, 1.48 * GiB, 6_912_230)
      : key.key.startsWith("cache:product:")
      ? k(key.key, key.type, key.bytes * 2.6, 1)
      : key
  )
  .concat([
    k("queue:exports", "list", 640.5 * MiB, 2_101_777),
    k("leaderboard:weekly:30", "zset", 91.2 * MiB, 2_118_540),
    k("cache:product:993012", "string", 45.0 * MiB, 1)
  ])

const afterPrefixes: ReadonlyArray<WirePrefix> = beforePrefixes.map((prefix) =>
  prefix.key_prefix === "session:"
    ? p(prefix.key_prefix, prefix.type, 8.9 * GiB, 10_981_442)
    : prefix.key_prefix === "cache:product:"
    ? p(prefix.key_prefix, prefix.type, 5.3 * GiB, 379_207)
    : prefix.key_prefix === "queue:"
    ? p(prefix.key_prefix, prefix.type, 2.9 * GiB, 15)
    : prefix
).concat([p("export:job:", "hash", 212.7 * MiB, 48_311)])

/** The same node a week later. */
export const after: OfflineKeyAnalysisReport = decodeReport(build({
  id: "4ffd020f-5bd1-44dc-b312-684e4edaa364",
  startedAt: "2024-10-15T02:00:03.551Z",
  finishedAt: "2024-10-15T02:04:12.020Z",
  keys: afterKeys,
  prefixes: afterPrefixes,
  unlisted: unlistedBefore
}))

/** Keys that try to break out of the HTML and the terminal. */
export const hostileKeys: ReadonlyArray<string> = [
  "<script>alert(1)</script>",
  "\"><img src=x onerror=alert(1)>",
  "'><svg onload=alert(1)>",
  "</script><script>window.__pwned=1</script>",
  "a&amp;b <b>bold</b>",
  "\u001b[31mred\u001b[0m\u0007"
]

export const hostile: OfflineKeyAnalysisReport = decodeReport({
  id: "hostile",
  instance_id: "<i>instance</i>",
  node_id: "\"><script>window.__pwned=1</script>",
  analysis_type: "<b>new_backup</b>",
  total_bytes: 10 * MiB,
  total_num: 6,
  largest_keys: hostileKeys.map((key, i) => ({ key, type: "string", bytes: (6 - i) * MiB, num_of_elem: 1 })),
  largest_key_prefixes: [{ key_prefix: "<script>", type: "<hash>", bytes: 3 * MiB, num: 3 }],
  type_bytes: [{ type: "string", bytes: 10 * MiB }],
  type_num: [{ type: "string", num: 6 }]
})

/** A finished analysis of an empty node. */
export const empty: OfflineKeyAnalysisReport = decodeReport({
  id: "0656263a-358f-4a7c-9fc8-76ca5ca4a944",
  instance_id: instanceId,
  node_id: nodeId,
  analysis_type: "old_backup",
  started_at: "2024-10-15T02:00:00.000Z",
  finished_at: "2024-10-15T02:00:01.250Z",
  total_bytes: 0,
  total_num: 0,
  largest_keys: [],
  largest_key_prefixes: [],
  type_bytes: types.map((type) => ({ type, bytes: 0 })),
  type_num: types.map((type) => ({ type, num: 0 }))
})

// ---------------------------------------------------------------------------------------------
// An instance analysed shard by shard, and a fleet
// ---------------------------------------------------------------------------------------------

const decodeRecord = Schema.decodeUnknownSync(OfflineKeyAnalysisRecord)

const scaled = (unlisted: Spec["unlisted"], factor: number): Spec["unlisted"] =>
  Object.fromEntries(
    Object.entries(unlisted).map(([type, [bytes, keys]]) => [type, [bytes * factor, Math.round(keys * factor)]])
  ) as unknown as Spec["unlisted"]

/** The node's analysis: its report built like the others, and the finished task it came from. */
const nodeAnalysis = (
  node: DcsInstanceNode,
  spec: Omit<Spec, "node" | "group" | "id">,
  id: string
): InstanceAnalysis.NodeAnalysis =>
  new InstanceAnalysis.NodeAnalysis({
    node,
    task: decodeRecord({
      id,
      status: "success",
      created_at: spec.startedAt,
      started_at: spec.startedAt,
      finished_at: spec.finishedAt
    }),
    report: decodeReport(build({
      ...spec,
      id,
      node: node.nodeId,
      group: Option.getOrElse(node.groupName, () => "")
    })),
    attached: false
  })

/** Three shards (`group-0`, `group-1`, `group-2`), each analysed on its replica. */
export const shardNodes: ReadonlyArray<DcsInstanceNode> = DcsClientTest.makeNodes("orders", { shards: 3 })
  .filter((node) => node.nodeType === "slave")

// The instance's biggest key lives in the second shard (`group-1`), which holds most of the data:
// the shards are uneven (skew ≈ 1.7).
export const shardFactors: ReadonlyArray<number> = [0.55, 1.6, 0.65]

const shardKeys = (shard: number): ReadonlyArray<WireKey> =>
  beforeKeys.filter((key, i) => key.key === "queue:notifications" ? shard === 1 : i % 3 === shard)

/** The biggest key of the instance, and its shard. */
export const instanceBiggestKey = { key: "queue:notifications", shard: "group-1" } as const

export const ordersInstance = DcsClientTest.makeInstance({
  id: "2f0d4cf6-6f07-4c43-9a3e-7d5b0e0c1a42",
  name: "orders-prod",
  engineVersion: "6.0",
  capacity: Option.some(32),
  maxMemory: Option.some(32 * 1024)
})

/** An instance of three shards, analysed one node per shard and merged by the core. */
export const instanceAnalysis: InstanceAnalysis.InstanceAnalysis = InstanceAnalysis.merge(
  ordersInstance.id,
  shardNodes.map((node, shard) =>
    nodeAnalysis(node, {
      startedAt: `2024-10-15T02:00:0${shard}.000Z`,
      finishedAt: `2024-10-15T02:0${3 + shard}:12.020Z`,
      keys: shardKeys(shard),
      prefixes: beforePrefixes.map((prefix) =>
        p(
          prefix.key_prefix,
          prefix.type,
          prefix.bytes * shardFactors[shard]!,
          Math.round(prefix.num * shardFactors[shard]!)
        )
      ),
      unlisted: scaled(unlistedBefore, shardFactors[shard]!)
    }, `task-${shard}`)
  )
)

const single = (
  instance: ReturnType<typeof DcsClientTest.makeInstance>,
  report: OfflineKeyAnalysisReport
): Fleet.Analyzed => {
  const [node] = DcsClientTest.makeNodes(instance.id, { replicas: 0 })
  return new Fleet.Analyzed({
    instance,
    analysis: InstanceAnalysis.merge(instance.id, [
      new InstanceAnalysis.NodeAnalysis({
        node: node!,
        task: decodeRecord({
          id: Option.getOrElse(report.id, () => "task"),
          status: "success",
          created_at: "2024-10-15T02:00:00.000Z"
        }),
        report,
        attached: false
      })
    ])
  })
}

const legacy = DcsClientTest.makeInstance({ id: "9b1f3a80-legacy", name: "legacy-cache", engineVersion: "3.0" })

/** A fleet of six: three analysed, one Redis 3.0, one frozen, one whose analysis failed. */
export const fleetOutcomes: ReadonlyArray<Fleet.FleetOutcome> = [
  new Fleet.Analyzed({ instance: ordersInstance, analysis: instanceAnalysis }),
  single(DcsClientTest.makeInstance({ id: "c7e2d9b4-sessions", name: "sessions-prod", engineVersion: "7.0" }), after),
  single(DcsClientTest.makeInstance({ id: "e1a4f6c2-staging", name: "cache-staging" }), empty),
  new Fleet.Unsupported({ instance: legacy, reason: Option.getOrThrow(unsupportedReason(legacy)) }),
  new Fleet.Skipped({
    instance: DcsClientTest.makeInstance({ id: "4d8c2b1e-reports", name: "reports-archive", status: "FROZEN" }),
    reason: "FROZEN"
  }),
  new Fleet.Failed({
    instance: DcsClientTest.makeInstance({ id: "a3c9e7f1-analytics", name: "analytics", engineVersion: "6.0" }),
    error: new DcsAnalysisFailed({ instanceId: "a3c9e7f1-analytics", taskId: "7c1b0e59-task" })
  })
]

export const fleet: Fleet.FleetSummary = Fleet.summarizeFleet(fleetOutcomes)

/** A fleet whose instance names, reasons and keys try to break out of the HTML. */
export const hostileFleet: Fleet.FleetSummary = Fleet.summarizeFleet([
  single(
    DcsClientTest.makeInstance({ id: "\"><script>window.__pwned=1</script>", name: "<script>alert(1)</script>" }),
    hostile
  ),
  new Fleet.Unsupported({
    instance: DcsClientTest.makeInstance({ id: "x", name: "'><svg onload=alert(1)>" }),
    reason: "\"><img src=x onerror=alert(1)>"
  })
])

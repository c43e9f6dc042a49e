/**
 * The analysis of a whole instance (`DcsClient.analyzeInstance`): which nodes to analyse, one per
 * shard, and the merge of their reports into one.
 *
 * Why one node per shard: each shard of a cluster holds its own keys, so an instance's keys are
 * the union of its shards' keys; the master and the replicas of one shard hold the same keys, so
 * analysing two nodes of a shard would count its keys twice. By default a replica is chosen when
 * the shard has an active one: the analysis starts with a backup of the node (`new_backup`), and a
 * backup forks the Redis process, which a replica can afford better than the master that serves
 * the writes. Proxies hold no data and are never chosen.
 *
 * @since 0.2.0
 */
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { DcsInvalidRequest, DcsNoAnalyzableNode } from "./DcsError.js"
import { DcsInstanceNode, isAnalyzable, nodeTypeToString, shardOf } from "./DcsInstance.js"
import {
  KeyPrefix,
  OfflineKeyAnalysisRecord,
  OfflineKeyAnalysisReport,
  TypeBytes,
  TypeNum
} from "./OfflineKeyAnalysis.js"

/**
 * Which nodes `analyzeInstance` analyses:
 *
 * - `"preferReplicas"` (the default): in each shard, an active replica when there is one, else the
 *   active master;
 * - `"replicas"`: in each shard, an active replica (`DcsNoAnalyzableNode` if a shard has none);
 * - `"masters"`: in each shard, the active master (`DcsNoAnalyzableNode` if a shard has none);
 * - node ids: exactly those nodes, at most one per shard, none a proxy.
 *
 * @since 0.2.0
 * @category models
 */
export type NodeChoice = "preferReplicas" | "replicas" | "masters" | ReadonlyArray<string>

/**
 * The nodes to analyse among an instance's nodes, one per shard, in the order their shards first
 * appear. Fails with `DcsNoAnalyzableNode` when a shard has no node of the kind chosen, and with
 * `DcsInvalidRequest` (field `nodes`) when explicit ids name an unknown node, a proxy, or two
 * nodes of one shard.
 *
 * @since 0.2.0
 * @category node choice
 */
export const selectNodes = (
  instanceId: string,
  nodes: ReadonlyArray<DcsInstanceNode>,
  choice: NodeChoice = "preferReplicas"
): Either.Either<ReadonlyArray<DcsInstanceNode>, DcsNoAnalyzableNode | DcsInvalidRequest> => {
  if (typeof choice !== "string") return selectExplicit(nodes, choice)
  const shards = new Map<string, Array<DcsInstanceNode>>()
  for (const node of nodes) {
    // Proxies are no shard's; a shard is its data nodes.
    if (node.nodeType === "proxy" || Option.contains(node.nodeRole, "redis-proxy")) continue
    const shard = shardOf(node)
    const members = shards.get(shard)
    if (members === undefined) shards.set(shard, [node])
    else members.push(node)
  }
  if (shards.size === 0) {
    return Either.left(
      new DcsNoAnalyzableNode({
        instanceId,
        reason: nodes.length === 0 ? "it lists no nodes (is it still being created?)" : "it lists no data nodes"
      })
    )
  }
  const chosen: Array<DcsInstanceNode> = []
  for (const [shard, members] of shards) {
    const active = members.filter(isAnalyzable)
    const replica = active.find((node) => node.nodeType === "slave")
    const master = active.find((node) => node.nodeType === "master")
    const node = choice === "replicas" ? replica : choice === "masters" ? master : replica ?? master
    if (node === undefined) {
      const kind = choice === "replicas" ? "active replica" : choice === "masters" ? "active master" : "active node"
      return Either.left(
        new DcsNoAnalyzableNode({ instanceId, reason: `shard ${JSON.stringify(shard)} has no ${kind}` })
      )
    }
    chosen.push(node)
  }
  return Either.right(chosen)
}

const selectExplicit = (
  nodes: ReadonlyArray<DcsInstanceNode>,
  ids: ReadonlyArray<string>
): Either.Either<ReadonlyArray<DcsInstanceNode>, DcsInvalidRequest> => {
  const invalid = (reason: string) => Either.left(new DcsInvalidRequest({ field: "nodes", reason }))
  if (ids.length === 0) return invalid("must name at least one node")
  const chosen: Array<DcsInstanceNode> = []
  const shards = new Set<string>()
  for (const id of new Set(ids)) {
    const node = nodes.find((candidate) => candidate.nodeId === id)
    if (node === undefined) return invalid(`${JSON.stringify(id)} is not a node of the instance`)
    if (node.nodeType !== "master" && node.nodeType !== "slave") {
      return invalid(`${JSON.stringify(id)} is a ${nodeTypeToString(node.nodeType)} node, which holds no data`)
    }
    const shard = shardOf(node)
    if (shards.has(shard)) {
      return invalid(
        `${JSON.stringify(id)} is a second node of shard ${JSON.stringify(shard)}: its keys would count twice`
      )
    }
    shards.add(shard)
    chosen.push(node)
  }
  return Either.right(chosen)
}

// ---------------------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------------------

/**
 * One of the biggest keys of an instance, with the node and shard whose report listed it.
 *
 * @since 0.2.0
 * @category schemas
 */
export class InstanceBigKey extends Schema.Class<InstanceBigKey>("InstanceBigKey")({
  key: Schema.String,
  type: Schema.String,
  bytes: Schema.NonNegativeInt,
  /** The number of elements (1 for a string). */
  numOfElem: Schema.OptionFromNullOr(Schema.NonNegativeInt),
  /** The node whose report listed it. */
  nodeId: Schema.String,
  /** Its shard: the node's `groupName`, else `groupId`, else `""`. */
  shard: Schema.String
}) {}

/**
 * The analysis of one node: the node, its finished task, and its report.
 *
 * @since 0.2.0
 * @category schemas
 */
export class NodeAnalysis extends Schema.Class<NodeAnalysis>("NodeAnalysis")({
  node: DcsInstanceNode,
  task: OfflineKeyAnalysisRecord,
  report: OfflineKeyAnalysisReport,
  /** Whether the task was already running on the node and was attached to, not created. */
  attached: Schema.Boolean
}) {}

/**
 * The merged analysis of an instance: its nodes' reports as one.
 *
 * - `largestKeys`: every node's largest keys, biggest first, each with its node and shard. Each
 *   node's report holds its own top keys only, so past the length of the shortest full report the
 *   list is not the instance's exact top.
 * - `largestKeyPrefixes`: summed by prefix and type across nodes, biggest first.
 * - `typeBytes`, `typeNum`: summed by type, biggest first.
 * - `totalBytes`, `totalNum`: summed (a report without them counts 0).
 * - `nodes`: each node's own analysis.
 *
 * @since 0.2.0
 * @category schemas
 */
export class InstanceAnalysis extends Schema.Class<InstanceAnalysis>("InstanceAnalysis")({
  instanceId: Schema.String,
  largestKeys: Schema.Array(InstanceBigKey),
  largestKeyPrefixes: Schema.Array(KeyPrefix),
  typeBytes: Schema.Array(TypeBytes),
  typeNum: Schema.Array(TypeNum),
  totalBytes: Schema.NonNegativeInt,
  totalNum: Schema.NonNegativeInt,
  nodes: Schema.Array(NodeAnalysis)
}) {}

const shardName = (node: DcsInstanceNode): string =>
  Option.getOrElse(Option.orElse(node.groupName, () => node.groupId), () => "")

const byBytesThenName = <A extends { readonly bytes: number }>(name: (a: A) => string) => (x: A, y: A): number =>
  y.bytes - x.bytes || (name(x) < name(y) ? -1 : name(x) > name(y) ? 1 : 0)

const sumBy = <A, K extends string>(
  items: Iterable<A>,
  keyOf: (a: A) => K,
  add: (acc: A | undefined, a: A) => A
): Array<A> => {
  const sums = new Map<K, A>()
  for (const item of items) {
    const key = keyOf(item)
    sums.set(key, add(sums.get(key), item))
  }
  return Array.from(sums.values())
}

/**
 * Merges the analyses of an instance's nodes (one per shard) into one `InstanceAnalysis`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const merge = (instanceId: string, nodes: ReadonlyArray<NodeAnalysis>): InstanceAnalysis => {
  const keys: Array<InstanceBigKey> = []
  const seen = new Set<string>()
  for (const { node, report } of nodes) {
    for (const key of report.largestKeys) {
      keys.push(
        new InstanceBigKey({
          key: key.key,
          type: key.type,
          bytes: key.bytes,
          numOfElem: key.numOfElem,
          nodeId: node.nodeId,
          shard: shardName(node)
        }, true)
      )
    }
  }
  // A key lives in one shard; should two reports both list it, the bigger entry stands.
  keys.sort(byBytesThenName((key) => key.key))
  const largestKeys = keys.filter((key) => (seen.has(key.key) ? false : (seen.add(key.key), true)))

  const reports = nodes.map((node) => node.report)
  const largestKeyPrefixes = sumBy(
    reports.flatMap((report) => report.largestKeyPrefixes),
    (prefix) => `${prefix.type}\u0000${prefix.keyPrefix}`,
    (acc, prefix) =>
      acc === undefined ? prefix : new KeyPrefix({
        keyPrefix: prefix.keyPrefix,
        type: prefix.type,
        bytes: acc.bytes + prefix.bytes,
        num: acc.num + prefix.num
      }, true)
  ).sort(byBytesThenName((prefix) => `${prefix.keyPrefix}\u0000${prefix.type}`))
  const typeBytes = sumBy(
    reports.flatMap((report) => report.typeBytes),
    (entry) => entry.type,
    (acc, entry) =>
      acc === undefined ? entry : new TypeBytes({ type: entry.type, bytes: acc.bytes + entry.bytes }, true)
  ).sort(byBytesThenName((entry) => entry.type))
  const typeNum = sumBy(
    reports.flatMap((report) => report.typeNum),
    (entry) => entry.type,
    (acc, entry) => acc === undefined ? entry : new TypeNum({ type: entry.type, num: acc.num + entry.num }, true)
  ).sort((x, y) => y.num - x.num || (x.type < y.type ? -1 : x.type > y.type ? 1 : 0))
  const sum = (f: (report: OfflineKeyAnalysisReport) => Option.Option<number>) =>
    reports.reduce((total, report) => total + Option.getOrElse(f(report), () => 0), 0)

  return new InstanceAnalysis({
    instanceId,
    largestKeys,
    largestKeyPrefixes,
    typeBytes,
    typeNum,
    totalBytes: sum((report) => report.totalBytes),
    totalNum: sum((report) => report.totalNum),
    nodes
  }, true)
}

import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import type {
  TestAnalysis,
  TestCall,
  TestClient as TestClientService,
  TestFleetInstance,
  TestOptions
} from "../DcsClientTest.js"
import {
  DcsAnalysisAlreadyRunning,
  DcsBadRequest,
  type DcsError,
  DcsNotFound,
  DcsNotSupported,
  DcsTaskNotFound
} from "../DcsError.js"
import {
  type DcsInstance,
  type DcsInstanceNode,
  instanceStatusToString,
  ListInstancesResponse,
  unsupportedReason
} from "../DcsInstance.js"
import {
  ListOfflineKeyAnalysisTasksResponse,
  OfflineKeyAnalysisNode,
  OfflineKeyAnalysisRecord,
  OfflineKeyAnalysisReport
} from "../OfflineKeyAnalysis.js"
import type { CreateInput, InstancesQuery, TaskInput } from "./request.js"
import type { Backend, FetchedInstancesPage, FetchedPage } from "./service.js"

/** @internal */
export const TestClient = Context.GenericTag<TestClientService>("@effect-dcs/core/DcsClient/TestClient")

interface Created {
  readonly input: CreateInput
  readonly taskId: string
  readonly createdAt: number
  readonly outcome: "success" | "failed"
}

interface State {
  readonly calls: ReadonlyArray<TestCall>
  readonly everyInstance: ReadonlyArray<OfflineKeyAnalysisRecord>
  readonly instances: Readonly<Record<string, ReadonlyArray<OfflineKeyAnalysisRecord>>> | undefined
  readonly failWith: ((call: TestCall) => DcsError | undefined) | undefined
  /** Analyses created through the client, newest first. */
  readonly created: ReadonlyArray<Created>
  readonly deleted: ReadonlySet<string>
  readonly fleet: ReadonlyArray<TestFleetInstance> | undefined
}

const notFound = (instanceId: string, taskId?: string) =>
  new DcsNotFound({
    status: 404,
    errorCode: "DCS.4401",
    errorMsg: `The instance ${instanceId} does not exist.`,
    instanceId,
    taskId
  })

const taskNotFound = (instanceId: string, taskId: string) =>
  new DcsTaskNotFound({
    instanceId,
    taskId,
    status: 400,
    errorCode: "DCS.4232",
    errorMsg: `The offline key analysis task ${taskId} does not exist or has been deleted.`
  })

const instanceNotFound = (instanceId: string) =>
  new DcsNotFound({
    status: 404,
    errorCode: "DCS.3022",
    errorMsg: "This DCS instance does not exist.",
    instanceId
  })

const incorrectNode = (nodeId: string) =>
  new DcsBadRequest({ status: 400, errorCode: "DCS.3053", errorMsg: `Incorrect node ID: ${nodeId}.` })

// The server's filters: `name` fuzzy (a substring) unless `nameEqual`, tags all matching.
const matches = (instance: DcsInstance, query: InstancesQuery): boolean =>
  (query.instanceId === undefined || instance.id === query.instanceId) &&
  (query.name === undefined ||
    (query.nameEqual === true
      ? instance.name === query.name
      : instance.name.toLowerCase().includes(query.name.toLowerCase()))) &&
  (query.status === undefined || instanceStatusToString(instance.status) === query.status) &&
  (query.tags ?? []).every(([key, value]) => instance.tags.some((tag) => tag.key === key && tag.value === value))

const isDataNode = (node: DcsInstanceNode): boolean => node.nodeType === "master" || node.nodeType === "slave"

const notSupported = () =>
  new DcsNotSupported({ status: 400, errorCode: "DCS.4230", errorMsg: "Does not support offline key analysis." })

const alreadyRunning = (nodeId: string) =>
  new DcsAnalysisAlreadyRunning({
    status: 400,
    errorCode: "DCS.4231",
    errorMsg: `An offline key analysis task is already running on node ${nodeId}.`
  })

/** @internal */
export const make = (options: TestOptions) =>
  Effect.gen(function*() {
    const waitingFor = Duration.toMillis(options.analysis?.waitingFor ?? "2 seconds")
    const runningFor = Duration.toMillis(options.analysis?.runningFor ?? "8 seconds")
    const state = yield* Ref.make<State>({
      calls: [],
      everyInstance: options.tasks ?? [],
      instances: options.instances,
      failWith: options.failWith,
      created: [],
      deleted: new Set(),
      fleet: options.fleet
    })

    // A created analysis as the list shows it at `now`.
    const recordOf = (created: Created, now: number): OfflineKeyAnalysisRecord => {
      const started = created.createdAt + waitingFor
      const finished = started + runningFor
      return new OfflineKeyAnalysisRecord({
        id: created.taskId,
        status: now < started ? "waiting" : now < finished ? "running" : created.outcome,
        createdAt: utc(created.createdAt),
        startedAt: now < started ? Option.none() : Option.some(utc(started)),
        finishedAt: now < finished ? Option.none() : Option.some(utc(finished))
      })
    }

    const tasksOf = (
      s: State,
      instanceId: string,
      now: number
    ): ReadonlyArray<OfflineKeyAnalysisRecord> | undefined => {
      const given = s.instances === undefined ? s.everyInstance : ownValue(s.instances, instanceId)
      if (given === undefined) return undefined
      const created = s.created.filter((c) => c.input.instanceId === instanceId).map((c) => recordOf(c, now))
      return [...created, ...given].filter((task) => !s.deleted.has(task.id))
    }

    // Records the call, applies `failWith`, then answers with `f`.
    const respond = <A>(call: TestCall, f: (s: State, now: number) => readonly [Either.Either<A, DcsError>, State]) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Ref.modify(state, (s): [Either.Either<A, DcsError>, State] => {
          const recorded = { ...s, calls: [...s.calls, call] }
          const failure = s.failWith?.(call)
          if (failure !== undefined) return [Either.left(failure), recorded]
          const [result, next] = f(recorded, now)
          return [result, next]
        })).pipe(Effect.flatten)

    const findTask = (
      s: State,
      input: TaskInput,
      now: number
    ): Either.Either<OfflineKeyAnalysisRecord, DcsError> => {
      const tasks = tasksOf(s, input.instanceId, now)
      if (tasks === undefined) return Either.left(notFound(input.instanceId, input.taskId))
      const task = tasks.find((t) => t.id === input.taskId)
      return task === undefined ? Either.left(taskNotFound(input.instanceId, input.taskId)) : Either.right(task)
    }

    const reportOf = (s: State, task: OfflineKeyAnalysisRecord, instanceId: string): OfflineKeyAnalysisReport => {
      const created = s.created.find((c) => c.taskId === task.id)
      const given = options.reports === undefined ? undefined : ownValue(options.reports, task.id)
      if (given !== undefined) return given
      if (created !== undefined && task.status === "success" && options.analysis?.report !== undefined) {
        const analysis: TestAnalysis = {
          taskId: task.id,
          instanceId,
          nodeId: created.input.nodeId,
          backupId: created.input.backupId,
          record: task
        }
        return options.analysis.report(analysis)
      }
      return new OfflineKeyAnalysisReport({
        id: Option.some(task.id),
        instanceId: Option.some(instanceId),
        nodeId: Option.fromNullable(created?.input.nodeId),
        backupId: Option.fromNullable(created?.input.backupId),
        groupName: Option.none(),
        nodeIp: Option.none(),
        nodeIpv6: Option.none(),
        nodeType: Option.none(),
        analysisType: created === undefined
          ? Option.none()
          : Option.some(created.input.backupId === undefined ? "new_backup" : "old_backup"),
        startedAt: task.startedAt,
        finishedAt: task.finishedAt,
        totalBytes: Option.none(),
        totalNum: Option.none(),
        largestKeyPrefixes: [],
        largestKeys: [],
        typeBytes: [],
        typeNum: []
      })
    }

    const backend: Backend = {
      listInstancesPage: (query) =>
        respond<FetchedInstancesPage>({ operation: "listInstances", query }, (s) => {
          const matching = (s.fleet ?? []).map((member) => member.instance).filter((instance) =>
            matches(instance, query)
          )
          const offset = query.offset ?? 0
          const limit = Math.min(query.limit ?? 10, options.maxLimit ?? Number.POSITIVE_INFINITY)
          const response = new ListInstancesResponse({
            total: matching.length,
            instances: matching.slice(offset, offset + limit)
          })
          return [Either.right({ response, requestId: Option.some(`test-${s.calls.length}`) }), s]
        }),
      instanceNodes: (input) =>
        respond<ReadonlyArray<DcsInstanceNode>>(
          { operation: "listInstanceNodes", instanceId: input.instanceId },
          (s) => {
            const member = s.fleet?.find((candidate) => candidate.instance.id === input.instanceId)
            return member === undefined
              ? [Either.left(instanceNotFound(input.instanceId)), s]
              : [Either.right(member.nodes ?? []), s]
          }
        ),
      listPage: (query) =>
        respond<FetchedPage>({ operation: "listOfflineKeyAnalysisTasks", query }, (s, now) => {
          const tasks = tasksOf(s, query.instanceId, now)
          if (tasks === undefined) return [Either.left(notFound(query.instanceId)), s]
          const matching = query.status === undefined ? tasks : tasks.filter((task) => task.status === query.status)
          const offset = query.offset ?? 0
          const limit = Math.min(query.limit ?? 10, options.maxLimit ?? Number.POSITIVE_INFINITY)
          const response = new ListOfflineKeyAnalysisTasksResponse({
            instanceId: Option.some(query.instanceId),
            total: matching.length,
            records: matching.slice(offset, offset + limit)
          })
          return [Either.right({ response, requestId: Option.some(`test-${s.calls.length}`) }), s]
        }),
      create: (input) =>
        respond<string>(
          {
            operation: "createOfflineKeyAnalysis",
            instanceId: input.instanceId,
            nodeId: input.nodeId,
            backupId: input.backupId
          },
          (s, now) => {
            if (tasksOf(s, input.instanceId, now) === undefined) return [Either.left(notFound(input.instanceId)), s]
            if (options.unsupported?.includes(input.instanceId) === true) return [Either.left(notSupported()), s]
            const inFleet = s.fleet?.find((member) => member.instance.id === input.instanceId)
            if (inFleet !== undefined) {
              if (Option.isSome(unsupportedReason(inFleet.instance))) return [Either.left(notSupported()), s]
              const nodes = inFleet.nodes ?? []
              if (!nodes.some((node) => node.nodeId === input.nodeId && isDataNode(node))) {
                return [Either.left(incorrectNode(input.nodeId)), s]
              }
            }
            const busy = s.created.some((c) => {
              if (c.input.instanceId !== input.instanceId || c.input.nodeId !== input.nodeId) return false
              if (s.deleted.has(c.taskId)) return false
              const status = recordOf(c, now).status
              return status === "waiting" || status === "running"
            })
            if (busy) return [Either.left(alreadyRunning(input.nodeId)), s]
            const taskId = `test-task-${s.created.length + 1}`
            const created: Created = {
              input,
              taskId,
              createdAt: now,
              outcome: options.analysis?.outcome?.(input) ?? "success"
            }
            return [Either.right(taskId), { ...s, created: [created, ...s.created] }]
          }
        ),
      show: (input) =>
        respond<OfflineKeyAnalysisReport>(
          { operation: "showOfflineKeyAnalysisTask", instanceId: input.instanceId, taskId: input.taskId },
          (s, now) => [Either.map(findTask(s, input, now), (task) => reportOf(s, task, input.instanceId)), s]
        ),
      delete: (input) =>
        respond<void>(
          { operation: "deleteOfflineKeyAnalysisTask", instanceId: input.instanceId, taskId: input.taskId },
          (s, now) => {
            const found = findTask(s, input, now)
            return Either.isLeft(found)
              ? [Either.left(found.left), s]
              : [Either.void, { ...s, deleted: new Set([...s.deleted, input.taskId]) }]
          }
        ),
      nodes: (input) =>
        respond<ReadonlyArray<OfflineKeyAnalysisNode>>(
          { operation: "listOfflineKeyAnalysisNodes", instanceId: input.instanceId, taskId: input.taskId },
          (s, now) => [
            Either.map(findTask(s, input, now), (task) => {
              const created = s.created.find((c) => c.taskId === task.id)
              return created === undefined ? [] : [
                new OfflineKeyAnalysisNode({
                  id: created.input.nodeId,
                  name: Option.none(),
                  groupName: Option.none(),
                  nodeIpv6: Option.none()
                })
              ]
            }),
            s
          ]
        )
    }

    const control: TestClientService = {
      calls: Effect.map(Ref.get(state), (s) => s.calls),
      setTasks: (tasks, instanceId) =>
        Ref.update(state, (s) =>
          instanceId === undefined
            ? { ...s, everyInstance: tasks, instances: undefined }
            : { ...s, instances: { ...(s.instances ?? {}), [instanceId]: tasks } }),
      setFailWith: (failWith) => Ref.update(state, (s) => ({ ...s, failWith })),
      setFleet: (fleet) => Ref.update(state, (s) => ({ ...s, fleet }))
    }
    return { backend, control }
  })

const utc = (millis: number) => DateTime.unsafeMake(millis)

// Ids are user input: "constructor" or "__proto__" must not find Object.prototype's members.
const ownValue = <A>(record: Readonly<Record<string, A>>, key: string): A | undefined =>
  Object.hasOwn(record, key) ? record[key] : undefined

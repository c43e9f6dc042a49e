/**
 * Wire-shaped test data: the doc's example and fast-check arbitraries of well-formed wire
 * records and pages.
 */
import { FastCheck as fc } from "effect"

/** The example response of the API page, verbatim. */
export const docExampleText =
  `{ "instance_id" : "5f9057b5-c330-4ee2-8138-7e69896eeec3", "total" : 1, "records" : [ { "id" : "858ee14c-2271-4489-8b82-7bda7459ae3e", "status" : "success", "created_at" : "2024-10-15T02:21:18.669Z", "started_at" : "2024-10-15T02:21:23.534Z", "finished_at" : "2024-10-15T02:21:25.588Z" } ] }`

export const docExample: unknown = JSON.parse(docExampleText)

export const knownStatuses = ["waiting", "running", "success", "failed"] as const

export interface WireRecord {
  id: string
  status: string
  created_at: string
  started_at?: string
  finished_at?: string
}

export interface WirePage {
  instance_id?: string
  total: number
  records: Array<WireRecord>
}

/** Instants whose ISO form is the service's `YYYY-MM-DDTHH:mm:ss.sssZ`. */
export const isoTime: fc.Arbitrary<string> = fc
  .integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) })
  .map((millis) => new Date(millis).toISOString())

export const anyStatus: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...knownStatuses),
  fc.string({ maxLength: 12 })
)

/** A canonical wire record: what `encode` gives back exactly. */
export const wireRecord: fc.Arbitrary<WireRecord> = fc.record({
  id: fc.string({ maxLength: 40 }),
  status: anyStatus,
  created_at: isoTime,
  started_at: isoTime,
  finished_at: isoTime
}, { requiredKeys: ["id", "status", "created_at"] })

/** A canonical wire page. */
export const wirePage: fc.Arbitrary<WirePage> = fc.record({
  instance_id: fc.string({ maxLength: 40 }),
  total: fc.nat(),
  records: fc.array(wireRecord, { maxLength: 8 })
}, { requiredKeys: ["total", "records"] })

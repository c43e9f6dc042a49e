/**
 * The tool's formatting, tables, error reports and configuration overrides, in process.
 */
import { DcsNotFound, DcsTransportError, DcsUnauthorized } from "@effect-dcs/core/DcsError"
import { describe, expect, it } from "@effect/vitest"
import { ConfigError, Duration, Option } from "effect"
import { overrides } from "../src/internal/connection.js"
import { configErrorLines, ExitCode, report, statusLine, UsageError } from "../src/internal/errors.js"
import * as Format from "../src/internal/format.js"
import * as Table from "../src/internal/table.js"

const flags = {
  endpoint: Option.none<string>(),
  region: Option.none<string>(),
  projectId: Option.none<string>(),
  skFile: Option.none<string>(),
  emulator: false
}

describe("format", () => {
  it("sizes, counts, durations", () => {
    expect(Format.bytes(512)).toBe("512 B")
    expect(Format.bytes(1536)).toBe("1.5 KiB")
    expect(Format.bytes(25_769_803_776)).toBe("24.0 GiB")
    expect(Format.count(18_761_064)).toBe("18,761,064")
    expect(Format.duration(850)).toBe("850ms")
    expect(Format.duration(12_400)).toBe("12s")
    expect(Format.duration(125_000)).toBe("2m 05s")
    expect(Format.duration(3_720_000)).toBe("1h 02m")
  })

  it("reads durations as people type them", () => {
    const millis = (text: string) => Option.map(Format.parseDuration(text), Duration.toMillis)
    expect(millis("90")).toEqual(Option.some(90_000))
    expect(millis("90s")).toEqual(Option.some(90_000))
    expect(millis("10m")).toEqual(Option.some(600_000))
    expect(millis("1h30m")).toEqual(Option.some(5_400_000))
    expect(millis("500ms")).toEqual(Option.some(500))
    expect(millis("10 minutes")).toEqual(Option.some(600_000))
    for (const bad of ["", "0", "0s", "-5s", "soon", "10x", "Infinity"]) expect(millis(bad)).toEqual(Option.none())
  })

  it("tables: columns two spaces apart, numbers to the right, no trailing blanks", () => {
    const text = Table.render([{ header: "KEY" }, { header: "SIZE", align: "right" }], [["a", "1 B"], [
      "longer",
      "10.5 MiB"
    ]])
    expect(text).toBe("KEY         SIZE\na            1 B\nlonger  10.5 MiB")
  })
})

describe("errors", () => {
  const unauthorized = new DcsUnauthorized({
    status: 401,
    errorCode: "APIGW.0301",
    errorMsg: "Incorrect IAM authentication information",
    requestId: "abc123"
  })

  it("a response's error: error_code: error_msg (request id …), exit code 1", () => {
    expect(statusLine(unauthorized)).toBe("APIGW.0301: Incorrect IAM authentication information (request id abc123)")
    expect(statusLine(new DcsNotFound({ status: 404, errorCode: "", errorMsg: "not found" }))).toBe(
      "HTTP 404: not found (no request id)"
    )
    expect(report(unauthorized).code).toBe(ExitCode.apiError)
    const streamed = report(new DcsNotFound({ status: 404, errorCode: "DCS.4401", errorMsg: "gone", offset: 300 }))
    expect(streamed.lines).toContain("hint: the listing stopped at offset 300; resume with --all --offset 300")
  })

  it("usage and configuration errors: exit code 2", () => {
    expect(report(new UsageError({ message: "no" }))).toEqual({ code: ExitCode.usage, lines: ["no"] })
    const missing = ConfigError.And(
      ConfigError.Or(
        ConfigError.MissingData(["CLOUD_SDK_SK"], "x"),
        ConfigError.MissingData(["HUAWEICLOUD_SDK_SK"], "x")
      ),
      ConfigError.MissingData(["DCS_ENDPOINT"], "x")
    )
    expect(report(missing).code).toBe(ExitCode.usage)
    expect(configErrorLines(missing).slice(0, 2)).toEqual([
      "configuration error: missing CLOUD_SDK_SK or HUAWEICLOUD_SDK_SK",
      "configuration error: missing DCS_ENDPOINT"
    ])
    const malformed = ConfigError.Or(
      ConfigError.InvalidData(["DCS_ENDPOINT"], "DCS_ENDPOINT must be an http(s) URL"),
      ConfigError.MissingData(["DCS_REGION"], "x")
    )
    expect(configErrorLines(malformed)).toEqual(["configuration error: DCS_ENDPOINT must be an http(s) URL"])
    const unsigned = new DcsTransportError({
      reason: "Credentials",
      method: "GET",
      url: "http://x",
      description: "No usable credentials from environment: CLOUD_SDK_SK is not set"
    })
    expect(report(unsigned).code).toBe(ExitCode.usage)
    expect(report(unsigned).lines[0]).toBe(
      "configuration error: No usable credentials from environment: CLOUD_SDK_SK is not set"
    )
    const refused = new DcsTransportError({
      reason: "Connection",
      method: "GET",
      url: "http://x",
      description: "refused"
    })
    expect(report(refused).code).toBe(ExitCode.apiError)
  })
})

describe("configuration overrides", () => {
  it("flags stand for the variables; --endpoint before --region", () => {
    expect(overrides(flags, Option.none())).toEqual(new Map())
    expect(overrides({ ...flags, region: Option.some("cn-north-4") }, Option.some("sk"))).toEqual(
      new Map([
        ["DCS_REGION", "cn-north-4"],
        ["DCS_ENDPOINT", "https://dcs.cn-north-4.myhuaweicloud.com"],
        ["CLOUD_SDK_SK", "sk"]
      ])
    )
    expect(
      overrides(
        {
          ...flags,
          endpoint: Option.some("http://127.0.0.1:1"),
          region: Option.some("cn-north-4"),
          projectId: Option.some("p")
        },
        Option.none()
      )
    ).toEqual(
      new Map([["DCS_REGION", "cn-north-4"], ["DCS_ENDPOINT", "http://127.0.0.1:1"], ["DCS_PROJECT_ID", "p"]])
    )
  })
})

import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import * as Signing from "../src/internal/signing.js"
import { official, officialQueryParams } from "./support/common.js"

const RESERVED = " !\"#$%&'()*+,/:;<=>?@[\\]^`{|}"
const UNRESERVED = "aZ09-_.~"
const anyChar = fc.oneof(
  fc.constantFrom(...RESERVED),
  fc.constantFrom(...UNRESERVED),
  fc.constantFrom("一", "é", "ß", "😀", "\u00a0", "\u200b", "\ufeff", "\uffff", "\u{10ffff}"),
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 })
)
const text = fc.string({ unit: anyChar, maxLength: 10 })
const queryPairs = fc.array(
  fc.tuple(fc.oneof(fc.constantFrom("limit", "multi", "a", "a{", "ab", ""), text), fc.oneof(fc.constant(""), text)),
  { maxLength: 8 }
)

describe("published vectors (AK AccessKey, SK SecretKey)", () => {
  const sign = (sdkDate: string, input: Signing.CanonicalRequestInput) =>
    Signing.hmacSignature("SecretKey", Signing.stringToSign(sdkDate, Signing.canonicalRequest(input)))

  it("GET /resources?size=1 signing host;x-sdk-date", () => {
    const headers = { "host": "service.endpoint.myhuaweicloud.com", "x-sdk-date": "20200608T023900Z" }
    const signature = sign("20200608T023900Z", {
      method: "GET",
      path: "/resources",
      query: [["size", "1"]],
      headers,
      signedHeaders: ["x-sdk-date", "host"],
      payloadHash: Signing.EMPTY_BODY_SHA256
    })
    expect(signature).toBe("cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842")
    expect(Signing.authorizationHeader("AccessKey", ["x-sdk-date", "host"], signature)).toBe(
      "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=host;x-sdk-date, " +
        "Signature=cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842"
    )
  })

  it("POST /resources?size=1 with a JSON body", () => {
    const signature = sign("20200608T023900Z", {
      method: "POST",
      path: "/resources",
      query: [["size", "1"]],
      headers: { "host": "service.endpoint.myhuaweicloud.com", "x-sdk-date": "20200608T023900Z" },
      signedHeaders: ["host", "x-sdk-date"],
      payloadHash: Signing.sha256Hex(`{"name":"test","id":1}`)
    })
    expect(signature).toBe("436b1ac0a1ae03705934bb70ef2f2e09f7bfed2117d731a38235053199323a1f")
  })

  it("GET /path?limit=1 signing x-sdk-date only", () => {
    const signature = sign("20060102T150405Z", {
      method: "GET",
      path: "/path",
      query: [["limit", "1"]],
      headers: { "host": "example.huaweicloud.com", "x-sdk-date": "20060102T150405Z" },
      signedHeaders: ["x-sdk-date"],
      payloadHash: Signing.EMPTY_BODY_SHA256
    })
    expect(signature).toBe("5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624")
  })

  it("canonical query with a repeated key and reserved characters", () => {
    const query = Signing.canonicalQuery([
      ["limit", "1"],
      ["enable", "true"],
      ["test", "一 (&=?!#%.*)"],
      ["path", "/tmp/123"],
      ["multi", "1"],
      ["multi", "2"],
      ["multi", "3"]
    ])
    expect(query).toBe(
      "enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123&test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29"
    )
  })
})

describe("encodeRfc3986", () => {
  it("keeps unreserved characters and encodes every other UTF-8 byte", () => {
    expect(Signing.encodeRfc3986("AZaz09-_.~")).toBe("AZaz09-_.~")
    expect(Signing.encodeRfc3986("")).toBe("")
    expect(Signing.encodeRfc3986("a b+c")).toBe("a%20b%2Bc")
    expect(Signing.encodeRfc3986("!'()*")).toBe("%21%27%28%29%2A")
    expect(Signing.encodeRfc3986("一é😀")).toBe("%E4%B8%80%C3%A9%F0%9F%98%80")
    expect(Signing.encodeRfc3986("\u0000\u007f")).toBe("%00%7F")
  })

  it("encodes a lone surrogate as U+FFFD", () => {
    expect(Signing.encodeRfc3986("a\ud800b")).toBe("a%EF%BF%BDb")
    expect(Signing.encodeRfc3986("\udc00")).toBe("%EF%BF%BD")
  })

  it.prop("agrees with the official urlEncode and with encodeURIComponent", [fc.string({ unit: anyChar })], ([s]) => {
    const encoded = Signing.encodeRfc3986(s)
    expect(encoded).toBe(official.urlEncode(s))
    expect(encoded).toBe(
      encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase())
    )
  }, { fastCheck: { numRuns: 1000 } })
})

describe("canonicalUri", () => {
  it("encodes each segment and appends a slash", () => {
    expect(Signing.canonicalUri("")).toBe("/")
    expect(Signing.canonicalUri("/")).toBe("/")
    expect(Signing.canonicalUri("/v2/p1/instances")).toBe("/v2/p1/instances/")
    expect(Signing.canonicalUri("/v2/p1/instances/")).toBe("/v2/p1/instances/")
    expect(Signing.canonicalUri("/a b/一")).toBe("/a%20b/%E4%B8%80/")
    expect(Signing.canonicalUri("//a")).toBe("//a/")
  })

  it("decodes before encoding, so an encoded path gives the same result", () => {
    expect(Signing.canonicalUri("/a%20b/%E4%B8%80")).toBe("/a%20b/%E4%B8%80/")
    expect(Signing.canonicalUri("/a%2fb")).toBe("/a%2Fb/")
    expect(Signing.canonicalUri("/it's")).toBe(Signing.canonicalUri("/it%27s"))
  })

  it("keeps a segment that does not decode raw", () => {
    expect(Signing.canonicalUri("/100%/x%zz")).toBe("/100%25/x%25zz/")
    expect(Signing.canonicalUri("/%E4%B8")).toBe("/%25E4%25B8/")
  })

  // No "%" in these paths: the official signer encodes a path as given, so it would encode an
  // existing "%" twice; ours decodes each segment first (as the gateway does).
  const rawPath = fc.array(fc.string({ unit: anyChar, maxLength: 8 }).map((s) => s.replaceAll("%", "")), {
    maxLength: 5
  }).map((segments) => "/" + segments.join("/"))

  it.prop("agrees with the official CanonicalURI on raw paths, encoded or not", [rawPath], ([path]) => {
    const expected = official.CanonicalURI(path)
    expect(Signing.canonicalUri(path)).toBe(expected)
    expect(Signing.canonicalUri(path.split("/").map(Signing.encodeRfc3986).join("/"))).toBe(expected)
    expect(Signing.canonicalUri(path.split("/").map(encodeURIComponent).join("/"))).toBe(expected)
    expect(Signing.canonicalUri(expected)).toBe(expected)
  }, { fastCheck: { numRuns: 1000 } })
})

describe("canonicalQuery", () => {
  it("gives an empty line for no query and k= for an empty value", () => {
    expect(Signing.canonicalQuery([])).toBe("")
    expect(Signing.canonicalQuery([["flag", ""]])).toBe("flag=")
    expect(Signing.canonicalQuery([["b", "2"], ["a", ""], ["b", "1"]])).toBe("a=&b=1&b=2")
  })

  it("sorts by the decoded key, as the official signers do", () => {
    // Encoded, "a%7B" would sort before "ab"; decoded, "ab" < "a{".
    expect(Signing.canonicalQuery([["a{", "1"], ["ab", "2"]])).toBe("ab=2&a%7B=1")
  })

  it.prop("agrees with the official CanonicalQueryString", [queryPairs], ([pairs]) => {
    expect(Signing.canonicalQuery(pairs)).toBe(
      official.CanonicalQueryString({ queryParams: officialQueryParams(pairs) })
    )
  }, { fastCheck: { numRuns: 1000 } })
})

describe("parseQueryString", () => {
  it("decodes pairs in order", () => {
    expect(Signing.parseQueryString("")).toEqual([])
    expect(Signing.parseQueryString("a=1&b=%20&c")).toEqual([["a", "1"], ["b", " "], ["c", ""]])
    expect(Signing.parseQueryString("a=1&&b=2&")).toEqual([["a", "1"], ["b", "2"]])
    expect(Signing.parseQueryString("k=a=b")).toEqual([["k", "a=b"]])
    expect(Signing.parseQueryString("%E4%B8%80=%F0%9F%98%80")).toEqual([["一", "😀"]])
  })

  it("keeps + literal and invalid escapes raw", () => {
    expect(Signing.parseQueryString("q=a+b")).toEqual([["q", "a+b"]])
    expect(Signing.parseQueryString("q=100%&r=%zz%41&s=%E4%B8")).toEqual([["q", "100%"], ["r", "%zzA"], [
      "s",
      "%E4%B8"
    ]])
  })

  it.prop("reads back what encodeRfc3986 writes", [queryPairs], ([pairs]) => {
    const raw = pairs.map(([k, v]) => Signing.encodeRfc3986(k) + "=" + Signing.encodeRfc3986(v)).join("&")
    expect(Signing.parseQueryString(raw)).toEqual(pairs.map(([k, v]) => [k, v]))
  })
})

describe("dates", () => {
  it("formats and parses X-Sdk-Date", () => {
    expect(Signing.formatSdkDate(Date.UTC(2020, 5, 8, 2, 39, 0, 999))).toBe("20200608T023900Z")
    expect(Signing.formatSdkDate(0)).toBe("19700101T000000Z")
    expect(Signing.parseSdkDate("20200608T023900Z")).toBe(Date.UTC(2020, 5, 8, 2, 39, 0))
    expect(Signing.parseSdkDate("20200230T000000Z")).toBeUndefined()
    expect(Signing.parseSdkDate("2020-06-08T02:39:00Z")).toBeUndefined()
    expect(Signing.parseSdkDate("20200608T023900")).toBeUndefined()
  })
})

describe("Authorization header", () => {
  it("parses what authorizationHeader writes", () => {
    const header = Signing.authorizationHeader("AK", ["X-Sdk-Date", "host"], "abc123")
    expect(header).toBe("SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=abc123")
    expect(Signing.parseAuthorization(header)).toEqual({
      algorithm: "SDK-HMAC-SHA256",
      accessKeyId: "AK",
      signedHeaders: ["host", "x-sdk-date"],
      signature: "abc123"
    })
  })

  it("rejects malformed headers", () => {
    for (
      const header of [
        "",
        "SDK-HMAC-SHA256",
        "Bearer token",
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host",
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=",
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;;x-sdk-date, Signature=ab",
        "SDK-HMAC-SHA256 Access=AK, Access=AK2, SignedHeaders=host, Signature=ab",
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=ab, Extra=1"
      ]
    ) {
      expect(Signing.parseAuthorization(header), header).toBeUndefined()
    }
  })
})

describe("canonicalRequest", () => {
  it("lays the request out as the official signer joins it", () => {
    expect(Signing.canonicalRequest({
      method: "GET",
      path: "/v2/p/x",
      query: [["b", "2"], ["a", "1"]],
      headers: { "host": "h", "x-sdk-date": " 20200608T023900Z\t", "content-type": "application/json" },
      signedHeaders: ["x-sdk-date", "host"],
      payloadHash: "UNSIGNED-PAYLOAD"
    })).toBe("GET\n/v2/p/x/\na=1&b=2\nhost:h\nx-sdk-date:20200608T023900Z\n\nhost;x-sdk-date\nUNSIGNED-PAYLOAD")
  })
})

// Response bodies end up in errors, and a gateway may echo the request back: the APIG 401 body
// carries the canonical request it computed, signed headers (the security token) included.
// Whatever looks like a credential is masked before text leaves the transport; a value that
// is already masked (the emulator masks the token it echoes) is left as it is.
const patterns: ReadonlyArray<RegExp> = [
  // An Authorization value, e.g. "SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b, Signature=ab12"
  /(SDK-HMAC-[A-Z0-9]+\s+)[^"|\r\n<]+/gi,
  // A header line echoed as "name:value" or "name: value" (canonical request: "|" for newlines)
  /((?:authorization|x-security-token|x-auth-token|proxy-authorization)"?\s*[:=]\s*"?)[^"|\r\n<&,]+/gi,
  // "Signature=…" / "Access=…" fragments on their own
  /((?:Signature|Access)=)[^,"|\s<&]+/g,
  // JSON properties holding secrets
  /("(?:sk|secret|secret_access_key|secretAccessKey|security_token|securitytoken|securityToken|secret_key|password|x-security-token|authorization)"\s*:\s*")(?!<redacted>)[^"]+/gi
]

/** @internal */
export const redact = (text: string): string => {
  let out = text
  for (const pattern of patterns) out = out.replace(pattern, "$1<redacted>")
  return out
}

/** @internal */
export const excerpt = (text: string, max: number): string => {
  const redacted = redact(text.length > max * 2 ? text.slice(0, max * 2) : text)
  return redacted.length > max ? redacted.slice(0, max) + "…" : redacted
}

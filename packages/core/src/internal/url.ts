// RFC 3986 unreserved characters stay, every other UTF-8 byte is %XX: the encoding the AK/SK
// signature uses, so what is sent is what is signed. encodeURIComponent leaves !'()* alone.
const needsMore = /[!'()*]/g

/** @internal */
export const encodePathSegment = (segment: string): string =>
  encodeURIComponent(segment).replace(needsMore, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase())

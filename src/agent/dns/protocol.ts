/** DNS wire constants and the record/message shapes the answer builder produces. */

export const QType = {
  A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33, OPT: 41,
  IXFR: 251, AXFR: 252, ANY: 255,
} as const

export const Rcode = {
  NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5,
} as const
export type RcodeValue = (typeof Rcode)[keyof typeof Rcode]

export const Opcode = {QUERY: 0, NOTIFY: 4} as const

/** Owner name (no trailing dot needed), TTL in seconds; class is always IN. */
interface RrBase {
  name: string
  ttl: number
}

export type Rr =
  | (RrBase & {type: 'A' | 'AAAA'; address: Uint8Array})
  | (RrBase & {type: 'CNAME' | 'NS' | 'PTR'; target: string})
  | (RrBase & {type: 'SRV'; priority: number; weight: number; port: number; target: string})
  | (RrBase & {type: 'TXT'; texts: string[]})
  | (RrBase & {type: 'SOA'; mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number})

export const RR_TYPE_CODE: Record<Rr['type'], number> = {
  A: QType.A, AAAA: QType.AAAA, CNAME: QType.CNAME, NS: QType.NS, PTR: QType.PTR,
  SRV: QType.SRV, TXT: QType.TXT, SOA: QType.SOA,
}

export interface Question {
  name: string
  type: number
  class: number
}

export interface Message {
  id: number
  opcode: number
  aa: boolean
  tc: boolean
  rd: boolean
  ra: boolean
  cd: boolean
  rcode: number
  question?: Question
  answers: Rr[]
  authorities: Rr[]
  additionals: Rr[]
  /** Present when the response carries an EDNS0 OPT record with this UDP size. */
  edns?: {udpSize: number}
}

/** A stable identity for de-duplicating records (same owner, type and data). */
export function rrKey(rr: Rr): string {
  const head = `${rr.name.toLowerCase()}|${rr.type}|`
  switch (rr.type) {
    case 'A':
    case 'AAAA': return head + rr.address.join('.')
    case 'CNAME':
    case 'NS':
    case 'PTR': return head + rr.target.toLowerCase()
    case 'SRV': return `${head}${rr.priority} ${rr.weight} ${rr.port} ${rr.target.toLowerCase()}`
    case 'TXT': return head + rr.texts.join('\u0000')
    case 'SOA': return head + rr.mname
  }
}

/** True when `name` can be encoded: non-empty labels of at most 63 bytes, at most 255 bytes in all. */
export function isEncodableName(name: string): boolean {
  const end = name.endsWith('.') ? name.length - 1 : name.length
  if (end === 0) return true
  // Runs for every instance on a cache miss: a single allocation-free pass for ASCII names.
  let label = 0
  for (let i = 0; i < end; i++) {
    const c = name.charCodeAt(i)
    if (c > 127) return isEncodableUtf8(name.slice(0, end))
    if (c === 46) {
      if (label === 0) return false
      label = 0
    } else if (++label > 63) {
      return false
    }
  }
  return label > 0 && end + 2 <= 255
}

function isEncodableUtf8(n: string): boolean {
  if (Buffer.byteLength(n) + 2 > 255) return false
  return n.split('.').every((l) => {
    const len = Buffer.byteLength(l)
    return len > 0 && len <= 63
  })
}

import {describe, expect, it} from 'vitest'
import type {KVPair} from '../../../src/api/client.js'
import {exportJson, kvDetailed, kvLine, kvValue, parseImport, toExportEntry} from '../../../src/cli/format/kv.js'

const b64 = (s: string) => Buffer.from(s).toString('base64')
const pair = (over: Partial<KVPair> = {}): KVPair => ({
  Key: 'config/redis/maxconns', Flags: 42, Value: b64('5'), CreateIndex: 12, ModifyIndex: 15, LockIndex: 0, ...over,
})

describe('kv get formatting', () => {
  it('-detailed aligns labels like Consul (label width 11 + 6 spaces), Session "-" when unlocked', () => {
    expect(kvDetailed(pair(), false).toString()).toBe(
      [
        'CreateIndex      12',
        'Flags            42',
        'Key              config/redis/maxconns',
        'LockIndex        0',
        'ModifyIndex      15',
        'Session          -',
        'Value            5',
      ].join('\n'),
    )
  })

  it('-detailed shows the holding session and -base64 encodes the value', () => {
    const text = kvDetailed(pair({Session: 'adf4238a-882b-9ddc-4a9d-5b6758e4159e', LockIndex: 1, Value: b64('hi')}), true).toString()
    expect(text).toContain('Session          adf4238a-882b-9ddc-4a9d-5b6758e4159e')
    expect(text).toContain('LockIndex        1')
    expect(text.endsWith(`Value            ${b64('hi')}`)).toBe(true)
  })

  it('keeps binary values byte-exact', () => {
    const bytes = Buffer.from([0, 255, 10, 128])
    expect(kvValue(pair({Value: bytes.toString('base64')}), false)).toEqual(bytes)
    expect(kvLine(pair({Key: 'k', Value: bytes.toString('base64')}), false)).toEqual(Buffer.concat([Buffer.from('k:'), bytes]))
  })

  it('a null value prints as empty', () => {
    expect(kvValue(pair({Value: null}), false).length).toBe(0)
    expect(kvLine(pair({Key: 'a', Value: null}), false).toString()).toBe('a:')
  })
})

describe('kv export / import', () => {
  it('exports Consul entries with tab indentation and round-trips through import', () => {
    const pairs = [pair({Key: 'a', Flags: 0, Value: b64('1')}), pair({Key: 'b/c', Flags: 7, Value: null})]
    const text = exportJson(pairs.map(toExportEntry))
    expect(text).toBe('[\n\t{\n\t\t"key": "a",\n\t\t"flags": 0,\n\t\t"value": "MQ=="\n\t},\n\t{\n\t\t"key": "b/c",\n\t\t"flags": 7,\n\t\t"value": ""\n\t}\n]')
    expect(parseImport(text)).toEqual([{key: 'a', flags: 0, value: 'MQ=='}, {key: 'b/c', flags: 7, value: ''}])
  })

  it('rejects bad JSON, non-arrays and bad base64 with Consul wording', () => {
    expect(() => parseImport('{')).toThrow(/^Cannot unmarshal data/)
    expect(() => parseImport('{"key":"a"}')).toThrow(/^Cannot unmarshal data/)
    expect(() => parseImport('[{"key":"a","value":"@@"}]')).toThrow('Error base 64 decoding value for key a')
  })
})

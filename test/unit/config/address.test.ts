import {describe, expect, it} from 'vitest'
import type {NetworkInterfaceInfo} from 'node:os'
import {AddressError, advertiseAddress, resolveAddressTemplate} from '../../../src/agent/address.js'

const v4 = (address: string, internal = false): NetworkInterfaceInfo => ({address, family: 'IPv4', internal, netmask: '255.255.255.0', mac: '00:00:00:00:00:00', cidr: `${address}/24`})

describe('advertise address', () => {
  it('takes -advertise, else a concrete -bind', () => {
    expect(advertiseAddress('10.1.1.1', '0.0.0.0', {}).address).toBe('10.1.1.1')
    expect(advertiseAddress('', '127.0.0.2', {}).address).toBe('127.0.0.2')
  })

  it('with -bind 0.0.0.0 picks the single private IPv4 and refuses to guess between several', () => {
    expect(advertiseAddress('', '0.0.0.0', {lo: [v4('127.0.0.1', true)], eth0: [v4('10.0.0.5')], eth1: [v4('8.8.4.4')]}).address).toBe('10.0.0.5')
    expect(() => advertiseAddress('', '0.0.0.0', {eth0: [v4('10.0.0.5')], eth1: [v4('192.168.1.5')]})).toThrow(/Multiple private IPv4 addresses found \(10\.0\.0\.5, 192\.168\.1\.5\); please configure one with -bind/)
    expect(() => advertiseAddress('', '0.0.0.0', {lo: [v4('127.0.0.1', true)]})).toThrow(AddressError)
  })
})

describe('go-sockaddr templates', () => {
  const ifaces = {lo: [v4('127.0.0.1', true)], eth0: [v4('10.0.0.5')], wan0: [v4('203.0.113.9')]}
  it('resolves the common forms', () => {
    expect(resolveAddressTemplate('{{ GetPrivateIP }}', ifaces)).toBe('10.0.0.5')
    expect(resolveAddressTemplate('{{GetPublicIP}}', ifaces)).toBe('203.0.113.9')
    expect(resolveAddressTemplate('{{ GetInterfaceIP "lo" }}', ifaces)).toBe('127.0.0.1')
    expect(resolveAddressTemplate('{{ GetAllInterfaces | include "name" "eth0" | attr "address" }}:8301', ifaces)).toBe('10.0.0.5:8301')
    expect(resolveAddressTemplate('127.0.0.3', ifaces)).toBe('127.0.0.3')
  })

  it('names what it cannot resolve', () => {
    expect(() => resolveAddressTemplate('{{ GetInterfaceIP "eth9" }}', ifaces)).toThrow(/matched no IPv4 address/)
    expect(() => resolveAddressTemplate('{{ GetDefaultInterfaces }}', ifaces)).toThrow(/unsupported address template/)
  })
})

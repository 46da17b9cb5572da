import { describe, expect, it } from 'vitest'
import { canonicalHost, ipLiteral, isPublicIp, parseIPv4, parseIPv6 } from '../../src/lib/ip'

/** Whether a host, as a URL would canonicalise it, is a public IP literal (undefined: not an IP). */
function publicIp(host: string): boolean | undefined {
  const ip = ipLiteral(canonicalHost(host) ?? '')
  return ip && isPublicIp(ip)
}

describe('IP parser', () => {
  it('reads dotted-quad IPv4 into a number and refuses anything else', () => {
    expect(parseIPv4('127.0.0.1')).toBe(0x7f000001)
    expect(parseIPv4('255.255.255.255')).toBe(0xffffffff)
    for (const bad of ['127.1', '256.0.0.1', '1.2.3.4.5', '0x7f.0.0.1', '1.2.3.', 'a.b.c.d', '']) {
      expect(parseIPv4(bad), bad).toBeUndefined()
    }
  })

  it('reads IPv6 with ::, full groups and a dotted IPv4 tail into a 128-bit number', () => {
    expect(parseIPv6('::1')).toBe(1n)
    expect(parseIPv6('::')).toBe(0n)
    expect(parseIPv6('::ffff:7f00:1')).toBe(0xffff7f000001n)
    expect(parseIPv6('::ffff:127.0.0.1')).toBe(0xffff7f000001n)
    expect(parseIPv6('2001:db8:0:0:0:0:0:1')).toBe(parseIPv6('2001:db8::1'))
    for (const bad of [
      '1::2::3',
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4:5:6:7',
      'g::1',
      '12345::',
      ':::1',
      '1:2:3:4:5:6:7::8',
    ]) {
      expect(parseIPv6(bad), bad).toBeUndefined()
    }
  })

  it('canonicalises hosts as new URL() does, so every spelling of an address is judged alike', () => {
    for (const spelling of ['2130706433', '0x7f.1', '127.1', '0177.0.0.1', '0x7f000001', '127.0.0.1.']) {
      expect(canonicalHost(spelling), spelling).toBe('127.0.0.1')
    }
    expect(canonicalHost('[::ffff:127.0.0.1]')).toBe('[::ffff:7f00:1]')
    expect(canonicalHost('EXAMPLE.com:8080')).toBe('example.com')
    expect(canonicalHost('exa mple.com')).toBeUndefined()
  })
})

describe('public internet', () => {
  it.each([
    '0.0.0.0',
    '0.1.2.3',
    '10.1.2.3',
    '100.64.0.1',
    '127.0.0.1',
    '127.255.255.254',
    '169.254.169.254',
    '172.16.0.1',
    '172.31.255.255',
    '192.0.0.1',
    '192.168.1.1',
    '198.18.0.1',
    '224.0.0.1',
    '240.0.0.1',
    '255.255.255.255',
    '2130706433',
    '0x7f.1',
    '127.1',
    '[::]',
    '[::1]',
    '[::ffff:127.0.0.1]',
    '[::ffff:10.0.0.1]',
    '[::127.0.0.1]',
    '[64:ff9b::a00:1]',
    '[64:ff9b:1::1]',
    '[2002:7f00:1::1]',
    '[fc00::1]',
    '[fd12:3456::1]',
    '[fe80::1]',
    '[fec0::1]',
    '[ff02::1]',
    '[100::1]',
    '[2001::1]',
    '[2001:db8::1]',
  ])('%s is not public', (host) => {
    expect(publicIp(host)).toBe(false)
  })

  it.each([
    '1.1.1.1',
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '[2606:4700::1111]',
    '[::ffff:8.8.8.8]',
    '[64:ff9b::808:808]',
  ])('%s is public', (host) => {
    expect(publicIp(host)).toBe(true)
  })

  it('names are not IP literals', () => {
    expect(ipLiteral('example.com')).toBeUndefined()
    expect(ipLiteral('1.2.3.example')).toBeUndefined()
  })
})

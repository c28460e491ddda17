package dev.arca.iam.policy;

import java.util.Arrays;

/**
 * An IPv4 or IPv6 address block for IpAddress/NotIpAddress. Parsed by hand: InetAddress would
 * accept host names (and resolve them), which a policy must never cause.
 *
 * @param network the address bytes (4 or 16) with host bits cleared
 * @param prefix  the number of leading bits that must match
 */
record Cidr(byte[] network, int prefix) {
    static final int IPV4_BYTES = 4;
    static final int IPV6_BYTES = 16;
    /** Longest textual address or block accepted (a full IPv6 address with dotted tail and prefix fits). */
    static final int MAX_TEXT = 64;

    Cidr {
        network = network.clone();
    }

    /** Parses "a.b.c.d", "a.b.c.d/n", an IPv6 address, or "x::y/n"; null when malformed. */
    static Cidr parse(String text) {
        if (text.length() > MAX_TEXT) {
            return null;
        }
        int slash = text.indexOf('/');
        String addrText = slash < 0 ? text : text.substring(0, slash);
        byte[] addr = parseAddress(addrText);
        if (addr == null) {
            return null;
        }
        int bits = addr.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String p = text.substring(slash + 1);
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')
                    || (p.length() > 1 && p.charAt(0) == '0')) {
                return null;
            }
            prefix = Integer.parseInt(p);
            if (prefix > bits) {
                return null;
            }
        }
        // Host bits are ignored, as AWS does for 203.0.113.7/24.
        for (int i = 0; i < addr.length; i++) {
            int keep = Math.clamp(prefix - i * 8L, 0, 8);
            addr[i] &= (byte) (0xff00 >>> keep);
        }
        return new Cidr(addr, prefix);
    }

    /** Parses a literal IPv4 or IPv6 address (no zone id, no prefix); null when malformed. */
    static byte[] parseAddress(String s) {
        if (s.isEmpty() || s.length() > MAX_TEXT) {
            return null;
        }
        return s.indexOf(':') >= 0 ? parseV6(s) : parseV4(s, 0, s.length());
    }

    private static byte[] parseV4(String s, int from, int to) {
        byte[] out = new byte[IPV4_BYTES];
        int part = 0;
        int i = from;
        while (true) {
            int start = i;
            int v = 0;
            while (i < to && s.charAt(i) >= '0' && s.charAt(i) <= '9' && i - start < 3) {
                v = v * 10 + (s.charAt(i) - '0');
                i++;
            }
            int len = i - start;
            // No leading zeros: "010" means 8 to some parsers and 10 to others.
            if (len == 0 || v > 255 || (len > 1 && s.charAt(start) == '0')) {
                return null;
            }
            out[part++] = (byte) v;
            if (part == IPV4_BYTES) {
                return i == to ? out : null;
            }
            if (i >= to || s.charAt(i) != '.') {
                return null;
            }
            i++;
        }
    }

    private static byte[] parseV6(String s) {
        byte[] out = new byte[IPV6_BYTES];
        int n = s.length();
        int groups = 0; // 16-bit groups written so far
        int gap = -1; // group index where "::" stands
        int i = 0;
        if (s.startsWith("::")) {
            gap = 0;
            i = 2;
            if (i == n) {
                return out;
            }
        } else if (s.charAt(0) == ':') {
            return null;
        }
        while (i < n) {
            if (groups == 8) {
                return null;
            }
            int start = i;
            int v = 0;
            while (i < n && Character.digit(s.charAt(i), 16) >= 0 && i - start < 4) {
                v = v << 4 | Character.digit(s.charAt(i), 16);
                i++;
            }
            if (i < n && s.charAt(i) == '.') {
                // Dotted IPv4 tail, e.g. ::ffff:192.0.2.1: takes the last two groups.
                if (groups > 6) {
                    return null;
                }
                byte[] v4 = parseV4(s, start, n);
                if (v4 == null) {
                    return null;
                }
                System.arraycopy(v4, 0, out, groups * 2, IPV4_BYTES);
                groups += 2;
                i = n;
                break;
            }
            if (i == start) {
                return null;
            }
            out[groups * 2] = (byte) (v >>> 8);
            out[groups * 2 + 1] = (byte) v;
            groups++;
            if (i == n) {
                break;
            }
            if (s.charAt(i) != ':') {
                return null;
            }
            i++;
            if (i < n && s.charAt(i) == ':') {
                if (gap >= 0) {
                    return null; // a second "::"
                }
                gap = groups;
                i++;
                if (i == n) {
                    break;
                }
            } else if (i == n) {
                return null; // trailing single ':'
            }
        }
        if (gap < 0) {
            return groups == 8 ? out : null;
        }
        if (groups == 8) {
            return null; // "::" must stand for at least one group
        }
        int tail = groups - gap;
        byte[] moved = new byte[IPV6_BYTES];
        System.arraycopy(out, 0, moved, 0, gap * 2);
        System.arraycopy(out, gap * 2, moved, IPV6_BYTES - tail * 2, tail * 2);
        return moved;
    }

    /** Whether the address lies in this block; an IPv4-mapped IPv6 address counts as IPv4. */
    boolean contains(byte[] address) {
        byte[] a = address;
        if (a.length == IPV6_BYTES && network.length == IPV4_BYTES && isV4Mapped(a)) {
            a = Arrays.copyOfRange(a, 12, 16);
        }
        if (a.length != network.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xff00 >>> rest & 0xff;
        return (a[full] & mask) == (network[full] & mask);
    }

    private static boolean isV4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    boolean isV4() {
        return network.length == IPV4_BYTES;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefix == prefix && Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefix;
    }

    @Override
    public String toString() {
        return Arrays.toString(network) + "/" + prefix;
    }
}

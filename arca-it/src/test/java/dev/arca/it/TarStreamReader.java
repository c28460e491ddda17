package dev.arca.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A test's own minimal tar reader (independent of the server's writer): ustar headers, pax
 * {@code x} headers with {@code path} and {@code size}, two zero blocks at the end. Checks each
 * header's checksum and that nothing follows the end.
 */
final class TarStreamReader {
    private TarStreamReader() {}

    /** One member in archive order. */
    record Member(String name, byte[] data) {
        String text() {
            return new String(data, StandardCharsets.UTF_8);
        }
    }

    static List<Member> read(byte[] tar) {
        List<Member> out = new ArrayList<>();
        int at = 0;
        String paxPath = null;
        Long paxSize = null;
        while (true) {
            assertThat(at + 512).as("archive ends with zero blocks").isLessThanOrEqualTo(tar.length);
            byte[] h = Arrays.copyOfRange(tar, at, at + 512);
            if (isZero(h)) {
                assertThat(Arrays.copyOfRange(tar, at, tar.length)).as("end of archive").hasSize(1024).containsOnly(0);
                return out;
            }
            long sum = 0;
            for (int i = 0; i < 512; i++) {
                sum += i >= 148 && i < 156 ? ' ' : h[i] & 0xFF;
            }
            assertThat(octal(h, 148, 8)).as("header checksum at " + at).isEqualTo(sum);
            assertThat(new String(h, 257, 6, StandardCharsets.US_ASCII)).isEqualTo("ustar\0");
            long size = (h[124] & 0x80) != 0 ? -1 : octal(h, 124, 12);
            char type = (char) h[156];
            int dataAt = at + 512;
            if (type == 'x') {
                String records = new String(tar, dataAt, (int) size, StandardCharsets.UTF_8);
                for (String rec : records.split("\n")) {
                    String kv = rec.substring(rec.indexOf(' ') + 1);
                    String key = kv.substring(0, kv.indexOf('='));
                    String value = kv.substring(kv.indexOf('=') + 1);
                    if (key.equals("path")) {
                        paxPath = value;
                    } else if (key.equals("size")) {
                        paxSize = Long.parseLong(value);
                    }
                }
            } else {
                assertThat(type).isEqualTo('0');
                if (paxSize != null) {
                    size = paxSize;
                }
                String name = paxPath != null ? paxPath : cString(h, 0, 100);
                out.add(new Member(name, Arrays.copyOfRange(tar, dataAt, dataAt + (int) size)));
                paxPath = null;
                paxSize = null;
            }
            at = dataAt + (int) ((size + 511) / 512 * 512);
        }
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static long octal(byte[] h, int offset, int width) {
        String s = cString(h, offset, width).trim();
        return Long.parseLong(s, 8);
    }

    private static String cString(byte[] h, int offset, int width) {
        int end = offset;
        while (end < offset + width && h[end] != 0) {
            end++;
        }
        return new String(h, offset, end - offset, StandardCharsets.UTF_8);
    }
}

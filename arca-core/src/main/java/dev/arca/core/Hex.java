package dev.arca.core;

import java.util.HexFormat;

/** Lower-case hex, as S3 uses in ETags and signatures. */
public final class Hex {
    private static final HexFormat FORMAT = HexFormat.of();

    private Hex() {}

    public static String encode(byte[] bytes) {
        return FORMAT.formatHex(bytes);
    }

    public static byte[] decode(String hex) {
        return FORMAT.parseHex(hex);
    }

    public static boolean isHex(String s, int length) {
        if (s.length() != length) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}

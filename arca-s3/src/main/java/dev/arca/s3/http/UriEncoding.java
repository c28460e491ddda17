package dev.arca.s3.http;

import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Percent-decoding of request paths and query strings, and the percent-encoding that AWS SigV4
 * (and S3 key listings with {@code encoding-type=url}) use.
 *
 * <p>Decoding is strict: a malformed {@code %} escape or bytes that are not valid UTF-8 fail with
 * {@link FailureKind#INVALID_URI}. Encoding leaves only the RFC 3986 unreserved characters
 * ({@code A-Z a-z 0-9 - _ . ~}) as they are and writes every other UTF-8 byte as {@code %XX} with
 * upper-case hex, exactly as SigV4's {@code UriEncode()} requires.
 */
public final class UriEncoding {
    private static final char[] UPPER_HEX = "0123456789ABCDEF".toCharArray();
    /** Each byte becomes at most three characters ({@code %XX}). */
    private static final int MAX_ENCODED_CHARS_PER_BYTE = 3;

    private UriEncoding() {}

    /** Percent-decodes a path (UTF-8); '+' stays '+'. */
    public static String decodePath(String raw) {
        return decode(raw, false);
    }

    /** Percent-decodes one query name or value (UTF-8); '+' means space, as in HTML forms. */
    public static String decodeQueryComponent(String raw) {
        return decode(raw, true);
    }

    /**
     * Encodes {@code s} the SigV4 way: unreserved characters stay, everything else becomes
     * {@code %XX} of its UTF-8 bytes; '/' stays when {@code encodeSlash} is false (for paths).
     */
    public static String encode(String s, boolean encodeSlash) {
        if (isAllUnreserved(s, encodeSlash)) {
            return s;
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length * MAX_ENCODED_CHARS_PER_BYTE);
        for (byte b : bytes) {
            int c = b & 0xFF;
            if (isUnreserved(c) || (c == '/' && !encodeSlash)) {
                out.append((char) c);
            } else {
                out.append('%').append(UPPER_HEX[c >>> 4]).append(UPPER_HEX[c & 0xF]);
            }
        }
        return out.toString();
    }

    /**
     * Splits a raw query string into decoded name/value pairs in order of appearance. A name without
     * '=' gets the value ""; empty segments ({@code a&&b}) are skipped; an empty query gives an
     * empty list.
     */
    public static List<Map.Entry<String, String>> parseQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return List.of();
        }
        List<Map.Entry<String, String>> pairs = new ArrayList<>();
        int start = 0;
        while (start <= rawQuery.length()) {
            int amp = rawQuery.indexOf('&', start);
            int end = amp < 0 ? rawQuery.length() : amp;
            if (end > start) {
                String part = rawQuery.substring(start, end);
                int eq = part.indexOf('=');
                String name = eq < 0 ? part : part.substring(0, eq);
                String value = eq < 0 ? "" : part.substring(eq + 1);
                pairs.add(Map.entry(decodeQueryComponent(name), decodeQueryComponent(value)));
            }
            start = end + 1;
        }
        return List.copyOf(pairs);
    }

    private static boolean isUnreserved(int c) {
        return (c >= 'A' && c <= 'Z')
                || (c >= 'a' && c <= 'z')
                || (c >= '0' && c <= '9')
                || c == '-'
                || c == '_'
                || c == '.'
                || c == '~';
    }

    private static boolean isAllUnreserved(String s, boolean encodeSlash) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!isUnreserved(c) && (c != '/' || encodeSlash)) {
                return false;
            }
        }
        return true;
    }

    private static String decode(String raw, boolean plusIsSpace) {
        if (raw.indexOf('%') < 0 && !(plusIsSpace && raw.indexOf('+') >= 0)) {
            return raw;
        }
        // Literal characters are taken as their UTF-8 bytes, so escapes and literals mix freely.
        byte[] literal = raw.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[literal.length];
        int n = 0;
        for (int i = 0; i < literal.length; i++) {
            byte b = literal[i];
            if (b == '%') {
                if (i + 2 >= literal.length) {
                    throw invalid(raw);
                }
                int hi = Character.digit(literal[i + 1], 16);
                int lo = Character.digit(literal[i + 2], 16);
                if (hi < 0 || lo < 0) {
                    throw invalid(raw);
                }
                out[n++] = (byte) ((hi << 4) | lo);
                i += 2;
            } else if (b == '+' && plusIsSpace) {
                out[n++] = ' ';
            } else {
                out[n++] = b;
            }
        }
        try {
            CharBuffer chars = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(out, 0, n));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw invalid(raw);
        }
    }

    private static StoreException invalid(String raw) {
        return StoreException.of(FailureKind.INVALID_URI, "Couldn't parse the specified URI: " + raw);
    }
}

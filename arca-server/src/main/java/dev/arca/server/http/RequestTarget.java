package dev.arca.server.http;

import java.util.Locale;

/**
 * The request-target of a request line split into its raw path and raw query, both exactly as
 * received. Accepts origin-form ({@code /path?query}) and absolute-form
 * ({@code http://host/path?query}, whose scheme and authority are dropped).
 */
record RequestTarget(String rawPath, String rawQuery) {

    /** The target, or null when it is neither origin-form nor absolute-form (e.g. {@code *}). */
    static RequestTarget parse(String uri) {
        String rest = uri;
        if (!rest.startsWith("/")) {
            String lower = rest.toLowerCase(Locale.ROOT);
            int schemeEnd = lower.startsWith("http://") ? 7 : lower.startsWith("https://") ? 8 : -1;
            if (schemeEnd < 0) {
                return null;
            }
            int pathStart = firstOf(rest, schemeEnd, '/', '?');
            rest = pathStart < 0 ? "/" : rest.charAt(pathStart) == '?' ? "/" + rest.substring(pathStart) : rest.substring(pathStart);
        }
        int q = rest.indexOf('?');
        return q < 0 ? new RequestTarget(rest, "") : new RequestTarget(rest.substring(0, q), rest.substring(q + 1));
    }

    private static int firstOf(String s, int from, char a, char b) {
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == a || c == b) {
                return i;
            }
        }
        return -1;
    }
}

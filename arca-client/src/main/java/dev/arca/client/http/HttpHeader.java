package dev.arca.client.http;

/**
 * One header field. Names keep the caller's case; comparisons elsewhere ignore it.
 *
 * @param name a token: no whitespace, no colon, not empty
 * @param value Latin-1 text without CR or LF (so a header cannot smuggle another one)
 */
public record HttpHeader(String name, String value) {

    /** Validates the field so that writing it can never break the message framing. */
    public HttpHeader {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("empty header name");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c >= 0x7F || c == ':') {
                throw new IllegalArgumentException("bad character in header name: " + name);
            }
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c > 0xFF) {
                throw new IllegalArgumentException("bad character in value of header " + name);
            }
        }
    }

    /** Whether this header has the given name, ignoring case as HTTP does. */
    public boolean is(String otherName) {
        return name.equalsIgnoreCase(otherName);
    }
}

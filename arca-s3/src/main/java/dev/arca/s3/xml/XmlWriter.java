package dev.arca.s3.xml;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Builds an S3 XML document. Text is escaped; characters XML 1.0 cannot carry (most C0 controls)
 * are written as numeric references, as S3 does. Not thread-safe.
 */
public final class XmlWriter {
    public static final String S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/";

    private final StringBuilder out = new StringBuilder(512);
    private final Deque<String> open = new ArrayDeque<>();

    public XmlWriter() {
        out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    }

    /** Opens the root element in the S3 namespace. */
    public XmlWriter root(String name) {
        out.append('<').append(name).append(" xmlns=\"").append(S3_NAMESPACE).append("\">");
        open.push(name);
        return this;
    }

    /** A whole document that is one root element in the S3 namespace holding only text. */
    public XmlWriter rootText(String name, String text) {
        out.append('<').append(name).append(" xmlns=\"").append(S3_NAMESPACE).append("\">");
        escape(text);
        out.append("</").append(name).append('>');
        return this;
    }

    /** Opens a root element without a namespace (S3 error documents have none). */
    public XmlWriter plainRoot(String name) {
        return start(name);
    }

    public XmlWriter start(String name) {
        out.append('<').append(name).append('>');
        open.push(name);
        return this;
    }

    /** Opens an element with raw attributes text (trusted constant, e.g. xsi:type declarations). */
    public XmlWriter startWithAttributes(String name, String attributes) {
        out.append('<').append(name).append(' ').append(attributes).append('>');
        open.push(name);
        return this;
    }

    public XmlWriter end() {
        out.append("</").append(open.pop()).append('>');
        return this;
    }

    /** {@code <name>text</name>}; an empty string gives an empty element. */
    public XmlWriter element(String name, String text) {
        out.append('<').append(name).append('>');
        escape(text);
        out.append("</").append(name).append('>');
        return this;
    }

    /** Writes the element only when {@code text} is not null. */
    public XmlWriter optional(String name, String text) {
        return text == null ? this : element(name, text);
    }

    public XmlWriter element(String name, long value) {
        return element(name, Long.toString(value));
    }

    public XmlWriter element(String name, boolean value) {
        return element(name, Boolean.toString(value));
    }

    public byte[] toBytes() {
        if (!open.isEmpty()) {
            throw new IllegalStateException("unclosed elements " + open);
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private void escape(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> {
                    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0xFFFE || c == 0xFFFF) {
                        out.append("&#x").append(Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT)).append(';');
                    } else {
                        out.append(c);
                    }
                }
            }
        }
    }
}

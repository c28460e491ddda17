package dev.arca.meta;

/**
 * A page request over a bucket's objects in key order.
 *
 * @param prefix     only keys starting with it ("" for all)
 * @param delimiter  roll keys up to the first delimiter after the prefix into common prefixes (null for none)
 * @param startAfter only keys (and common prefixes) after it (null for the start)
 * @param maxKeys    most keys plus common prefixes to return
 */
public record ListQuery(String prefix, String delimiter, String startAfter, int maxKeys) {
    public ListQuery {
        prefix = prefix == null ? "" : prefix;
        if (delimiter != null && delimiter.isEmpty()) {
            delimiter = null;
        }
        if (startAfter != null && startAfter.isEmpty()) {
            startAfter = null;
        }
        if (maxKeys < 0) {
            throw new IllegalArgumentException("maxKeys < 0");
        }
    }
}

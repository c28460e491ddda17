package dev.arca.meta;

import java.util.List;

/**
 * One page of a listing: objects and common prefixes (each sorted), whether more follow, and the
 * last key or common prefix returned (where the next page starts after), or null if none.
 */
public record ObjectListing(List<Entry> objects, List<String> commonPrefixes, boolean truncated, String lastReturned) {
    public record Entry(String key, ObjectRecord record) {}
}

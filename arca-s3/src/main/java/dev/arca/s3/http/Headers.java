package dev.arca.s3.http;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A case-insensitive, ordered multi-map of HTTP header fields. Names are kept lower-case (as
 * SigV4 canonicalises them); values keep their order of arrival. Not thread-safe.
 */
public final class Headers {
    private final TreeMap<String, List<String>> fields = new TreeMap<>();

    public Headers add(String name, String value) {
        fields.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>(1)).add(value);
        return this;
    }

    public Headers set(String name, String value) {
        List<String> values = new ArrayList<>(1);
        values.add(value);
        fields.put(name.toLowerCase(Locale.ROOT), values);
        return this;
    }

    public Headers remove(String name) {
        fields.remove(name.toLowerCase(Locale.ROOT));
        return this;
    }

    /** The first value of the field, if present. */
    public Optional<String> first(String name) {
        List<String> values = fields.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.getFirst());
    }

    /** The first value, or null. */
    public String get(String name) {
        List<String> values = fields.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    public List<String> all(String name) {
        List<String> values = fields.get(name.toLowerCase(Locale.ROOT));
        return values == null ? List.of() : Collections.unmodifiableList(values);
    }

    public boolean contains(String name) {
        return fields.containsKey(name.toLowerCase(Locale.ROOT));
    }

    /** All fields, names lower-case and sorted. */
    public Map<String, List<String>> asMap() {
        return Collections.unmodifiableMap(fields);
    }

    public boolean isEmpty() {
        return fields.isEmpty();
    }

    @Override
    public String toString() {
        return fields.toString();
    }
}

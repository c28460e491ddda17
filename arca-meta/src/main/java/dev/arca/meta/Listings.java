package dev.arca.meta;

import dev.arca.core.ObjectKey;
import dev.arca.meta.kv.Bytes;
import dev.arca.meta.kv.KvCursor;
import dev.arca.meta.kv.KvReader;
import java.util.ArrayList;
import java.util.List;

/**
 * Page-at-a-time listings over the ordered key space. Cost is O(page): a run of keys under one
 * common prefix is skipped with a single seek past the prefix, never walked.
 */
final class Listings {
    private Listings() {}

    /** Receives what a walk finds, in key order. */
    private interface Visitor {
        /** An entry outside any common prefix; {@code name} is its object key. */
        void entry(String name, byte[] value);

        /** A common prefix (rolled up keys), reported once. */
        void commonPrefix(String prefix);
    }

    /**
     * Walks the entries under {@code base + prefix} from {@code from}, rolling keys that contain
     * {@code delimiter} after the prefix into common prefixes (one seek past each, whatever it
     * holds), until {@code max} items were visited. A common prefix at or before {@code marker}
     * is skipped whole. {@code nameOf} gives an entry's object key from its KV key. Returns
     * whether more items follow.
     */
    private static boolean walk(KvReader kv, byte[] base, String prefix, String delimiter, byte[] from, String marker,
            int max, java.util.function.Function<byte[], String> nameOf, Visitor visitor) {
        byte[] end = Bytes.prefixEnd(Bytes.concat(base, Keys.utf8(prefix)));
        int count = 0;
        while (from != null && (end == null || Bytes.compare(from, end) < 0)) {
            byte[] next = null;
            try (KvCursor cursor = kv.scan(from, end)) {
                while (cursor.next()) {
                    String name = nameOf.apply(cursor.key());
                    int at = delimiter == null ? -1 : name.indexOf(delimiter, prefix.length());
                    if (at >= 0) {
                        String common = name.substring(0, at + delimiter.length());
                        next = Bytes.prefixEnd(Bytes.concat(base, Keys.utf8(common)));
                        if (marker == null || ObjectKey.compareUtf8(common, marker) > 0) {
                            if (count == max) {
                                return true;
                            }
                            visitor.commonPrefix(common);
                            count++;
                        }
                        break; // seek past the whole prefix
                    }
                    if (count == max) {
                        return true;
                    }
                    visitor.entry(name, cursor.value());
                    count++;
                }
            }
            if (next == null) {
                return false;
            }
            from = next;
        }
        return false;
    }

    /** Where a walk starts: at the prefix, or just after {@code after} if that is later. */
    private static byte[] start(byte[] base, String prefix, byte[] after) {
        byte[] from = Bytes.concat(base, Keys.utf8(prefix));
        return after != null && Bytes.compare(after, from) > 0 ? after : from;
    }

    static ObjectListing objects(KvReader kv, String bucket, ListQuery q) {
        List<ObjectListing.Entry> objects = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        if (q.maxKeys() == 0) {
            return new ObjectListing(objects, prefixes, false, null);
        }
        byte[] base = Keys.objectPrefix(bucket);
        byte[] after = q.startAfter() == null ? null : Bytes.concat(base, Keys.utf8(q.startAfter()), new byte[] {0});
        String[] last = {null};
        boolean truncated = walk(kv, base, q.prefix(), q.delimiter(), start(base, q.prefix(), after), q.startAfter(),
                q.maxKeys(), kvKey -> Keys.objectKeyOf(kvKey, base.length), new Visitor() {
                    @Override
                    public void entry(String name, byte[] value) {
                        objects.add(new ObjectListing.Entry(name, Codecs.decodeObject(value)));
                        last[0] = name;
                    }

                    @Override
                    public void commonPrefix(String prefix) {
                        prefixes.add(prefix);
                        last[0] = prefix;
                    }
                });
        return new ObjectListing(objects, prefixes, truncated, last[0]);
    }

    static VersionListing versions(KvReader kv, String bucket, VersionQuery q) {
        List<VersionListing.Entry> versions = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        if (q.maxKeys() == 0) {
            return new VersionListing(versions, prefixes, false, null, null);
        }
        byte[] base = Keys.versionPrefix(bucket);
        byte[] after = null;
        if (q.keyMarker() != null) {
            ObjectRecord marked = q.versionIdMarker() == null ? null
                    : MetaMachine.findVersion(kv, bucket, q.keyMarker(), q.versionIdMarker());
            after = marked != null
                    ? Bytes.concat(Keys.version(bucket, q.keyMarker(), marked.seq()), new byte[] {0})
                    : Bytes.prefixEnd(Keys.versionsOf(bucket, q.keyMarker()));
        }
        // A page that resumes inside a key's versions does not start with that key's newest one.
        String[] previousKey = {q.versionIdMarker() != null ? q.keyMarker() : null};
        String[] next = {null, null};
        boolean truncated = walk(kv, base, q.prefix(), q.delimiter(), start(base, q.prefix(), after), q.keyMarker(),
                q.maxKeys(), kvKey -> Keys.versionKeyOf(kvKey, base.length), new Visitor() {
                    @Override
                    public void entry(String name, byte[] value) {
                        ObjectRecord r = Codecs.decodeObject(value);
                        versions.add(new VersionListing.Entry(name, r, !name.equals(previousKey[0])));
                        previousKey[0] = name;
                        next[0] = name;
                        next[1] = r.versionId();
                    }

                    @Override
                    public void commonPrefix(String prefix) {
                        prefixes.add(prefix);
                        previousKey[0] = null;
                        next[0] = prefix;
                        next[1] = null;
                    }
                });
        return truncated
                ? new VersionListing(versions, prefixes, true, next[0], next[1])
                : new VersionListing(versions, prefixes, false, null, null);
    }

    static UploadListing uploads(KvReader kv, String bucket, UploadQuery q) {
        List<UploadRecord> uploads = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        if (q.maxUploads() == 0) {
            return new UploadListing(uploads, prefixes, false, null, null);
        }
        byte[] base = Keys.uploadPrefix(bucket);
        byte[] after = null;
        if (q.keyMarker() != null) {
            after = q.uploadIdMarker() != null
                    ? Bytes.concat(Keys.upload(bucket, q.keyMarker(), q.uploadIdMarker()), new byte[] {0})
                    : Bytes.prefixEnd(Bytes.concat(base, Keys.utf8(q.keyMarker()), new byte[] {0}));
        }
        String[] next = {null, null};
        boolean truncated = walk(kv, base, q.prefix(), q.delimiter(), start(base, q.prefix(), after), q.keyMarker(),
                q.maxUploads(), kvKey -> Keys.uploadKeyOf(kvKey, base.length), new Visitor() {
                    @Override
                    public void entry(String name, byte[] value) {
                        UploadRecord u = Codecs.decodeUpload(value);
                        uploads.add(u);
                        next[0] = u.key();
                        next[1] = u.uploadId();
                    }

                    @Override
                    public void commonPrefix(String prefix) {
                        prefixes.add(prefix);
                        next[0] = prefix;
                        next[1] = null;
                    }
                });
        return truncated
                ? new UploadListing(uploads, prefixes, true, next[0], next[1])
                : new UploadListing(uploads, prefixes, false, null, null);
    }

    static PartListing parts(KvReader kv, String uploadId, int after, int max) {
        List<PartRecord> parts = new ArrayList<>();
        byte[] prefix = Keys.partPrefix(uploadId);
        byte[] from = after <= 0 ? prefix : Keys.part(uploadId, after + 1);
        boolean truncated = false;
        int last = 0;
        try (KvCursor cursor = kv.scan(from, Bytes.prefixEnd(prefix))) {
            while (cursor.next()) {
                if (parts.size() == max) {
                    truncated = true;
                    break;
                }
                PartRecord p = Codecs.decodePart(cursor.value());
                parts.add(p);
                last = p.partNumber();
            }
        }
        return new PartListing(parts, truncated, last);
    }

    static List<String> ids(KvReader kv, byte tag, int max) {
        List<String> ids = new ArrayList<>();
        byte[] prefix = Keys.tag(tag);
        try (KvCursor cursor = kv.scan(prefix, Bytes.prefixEnd(prefix))) {
            while (ids.size() < max && cursor.next()) {
                ids.add(Keys.idOf(cursor.key()));
            }
        }
        return ids;
    }
}

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

    static ObjectListing objects(KvReader kv, String bucket, ListQuery q) {
        List<ObjectListing.Entry> objects = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        if (q.maxKeys() == 0) {
            return new ObjectListing(objects, prefixes, false, null);
        }
        byte[] base = Keys.objectPrefix(bucket);
        byte[] end = Bytes.prefixEnd(Bytes.concat(base, Keys.utf8(q.prefix())));
        byte[] from = Bytes.concat(base, Keys.utf8(q.prefix()));
        if (q.startAfter() != null) {
            byte[] after = Bytes.concat(base, Keys.utf8(q.startAfter()), new byte[] {0});
            if (Bytes.compare(after, from) > 0) {
                from = after;
            }
        }
        int count = 0;
        boolean truncated = false;
        String last = null;
        outer:
        while (from != null && (end == null || Bytes.compare(from, end) < 0)) {
            try (KvCursor cursor = kv.scan(from, end)) {
                while (cursor.next()) {
                    String key = Keys.objectKeyOf(cursor.key(), base.length);
                    if (q.delimiter() != null) {
                        int at = key.indexOf(q.delimiter(), q.prefix().length());
                        if (at >= 0) {
                            String common = key.substring(0, at + q.delimiter().length());
                            from = Bytes.prefixEnd(Bytes.concat(base, Keys.utf8(common)));
                            if (q.startAfter() != null && ObjectKey.compareUtf8(common, q.startAfter()) <= 0) {
                                continue outer; // the marker lies inside this prefix: skip it whole
                            }
                            if (count == q.maxKeys()) {
                                truncated = true;
                                break outer;
                            }
                            prefixes.add(common);
                            count++;
                            last = common;
                            if (from == null) {
                                break outer;
                            }
                            continue outer;
                        }
                    }
                    if (count == q.maxKeys()) {
                        truncated = true;
                        break outer;
                    }
                    objects.add(new ObjectListing.Entry(key, Codecs.decodeObject(cursor.value())));
                    count++;
                    last = key;
                }
                break;
            }
        }
        return new ObjectListing(objects, prefixes, truncated, last);
    }

    static UploadListing uploads(KvReader kv, String bucket, UploadQuery q) {
        List<UploadRecord> uploads = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        if (q.maxUploads() == 0) {
            return new UploadListing(uploads, prefixes, false, null, null);
        }
        byte[] base = Keys.uploadPrefix(bucket);
        byte[] end = Bytes.prefixEnd(Bytes.concat(base, Keys.utf8(q.prefix())));
        byte[] from = Bytes.concat(base, Keys.utf8(q.prefix()));
        if (q.keyMarker() != null) {
            byte[] after = q.uploadIdMarker() != null
                    ? Bytes.concat(Keys.upload(bucket, q.keyMarker(), q.uploadIdMarker()), new byte[] {0})
                    : Bytes.prefixEnd(Bytes.concat(base, Keys.utf8(q.keyMarker()), new byte[] {0}));
            if (after != null && Bytes.compare(after, from) > 0) {
                from = after;
            }
        }
        int count = 0;
        boolean truncated = false;
        String nextKey = null;
        String nextUpload = null;
        outer:
        while (from != null && (end == null || Bytes.compare(from, end) < 0)) {
            try (KvCursor cursor = kv.scan(from, end)) {
                while (cursor.next()) {
                    UploadRecord u = Codecs.decodeUpload(cursor.value());
                    if (q.delimiter() != null) {
                        int at = u.key().indexOf(q.delimiter(), q.prefix().length());
                        if (at >= 0) {
                            String common = u.key().substring(0, at + q.delimiter().length());
                            from = Bytes.prefixEnd(Bytes.concat(base, Keys.utf8(common)));
                            if (q.keyMarker() != null && ObjectKey.compareUtf8(common, q.keyMarker()) <= 0) {
                                continue outer;
                            }
                            if (count == q.maxUploads()) {
                                truncated = true;
                                break outer;
                            }
                            prefixes.add(common);
                            count++;
                            nextKey = common;
                            nextUpload = null;
                            if (from == null) {
                                break outer;
                            }
                            continue outer;
                        }
                    }
                    if (count == q.maxUploads()) {
                        truncated = true;
                        break outer;
                    }
                    uploads.add(u);
                    count++;
                    nextKey = u.key();
                    nextUpload = u.uploadId();
                }
                break;
            }
        }
        return truncated
                ? new UploadListing(uploads, prefixes, true, nextKey, nextUpload)
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

package dev.arca.s3;

import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import dev.arca.object.lifecycle.AbortIncompleteMultipartUpload;
import dev.arca.object.lifecycle.Expiration;
import dev.arca.object.lifecycle.LifecycleConfiguration;
import dev.arca.object.lifecycle.LifecycleFilter;
import dev.arca.object.lifecycle.LifecycleRule;
import dev.arca.object.lifecycle.NoncurrentVersionExpiration;
import dev.arca.s3.xml.XmlNode;
import dev.arca.s3.xml.XmlParser;
import dev.arca.s3.xml.XmlWriter;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The XML of PutBucketLifecycleConfiguration and GetBucketLifecycleConfiguration. Structure errors
 * (unknown or repeated elements, a rule with both or neither of Filter and Prefix, a Filter with
 * two conditions outside And, an Expiration with more than one of Days, Date and
 * ExpiredObjectDeleteMarker, values that are not numbers or booleans) are MalformedXML, as in S3;
 * value errors come from the model's validation (InvalidArgument, InvalidRequest). Transitions
 * are NotImplemented: Arca has no colder storage to move objects to.
 */
public final class LifecycleXml {
    static final String ROOT = "LifecycleConfiguration";
    private static final Set<String> RULE_CHILDREN = Set.of("ID", "Status", "Prefix", "Filter", "Expiration",
            "NoncurrentVersionExpiration", "AbortIncompleteMultipartUpload", "Transition", "NoncurrentVersionTransition");
    private static final Set<String> FILTER_CHILDREN = Set.of("Prefix", "Tag", "ObjectSizeGreaterThan",
            "ObjectSizeLessThan", "And");
    private static final Set<String> AND_CHILDREN = Set.of("Prefix", "Tag", "ObjectSizeGreaterThan", "ObjectSizeLessThan");
    private static final Set<String> EXPIRATION_CHILDREN = Set.of("Days", "Date", "ExpiredObjectDeleteMarker");
    /** How dates are written back: midnight UTC with milliseconds, as S3 returns them. */
    private static final DateTimeFormatter DATE_OUT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'00:00:00.000'Z'");

    private LifecycleXml() {}

    /** Parses and validates a PutBucketLifecycleConfiguration body. */
    public static LifecycleConfiguration parse(byte[] body) {
        if (body.length == 0) {
            throw XmlParser.malformed();
        }
        XmlNode root = XmlParser.parse(body);
        if (!root.name().equals(ROOT)) {
            throw XmlParser.malformed();
        }
        only(root, Set.of("Rule"));
        return new LifecycleConfiguration(root.all("Rule").stream().map(LifecycleXml::rule).toList());
    }

    private static LifecycleRule rule(XmlNode r) {
        only(r, RULE_CHILDREN);
        if (r.child("Transition").isPresent() || r.child("NoncurrentVersionTransition").isPresent()) {
            throw StoreException.of(FailureKind.NOT_IMPLEMENTED, "Lifecycle transitions are not supported");
        }
        XmlNode idNode = optional(r, "ID");
        String id = idNode == null ? "" : idNode.text();
        boolean enabled = switch (text(required(r, "Status"))) {
            case "Enabled" -> true;
            case "Disabled" -> false;
            default -> throw XmlParser.malformed();
        };
        XmlNode legacy = optional(r, "Prefix");
        XmlNode filterNode = optional(r, "Filter");
        if ((legacy == null) == (filterNode == null)) {
            throw XmlParser.malformed();
        }
        LifecycleFilter filter = legacy != null ? new LifecycleFilter.LegacyPrefix(legacy.text()) : filter(filterNode);
        XmlNode e = optional(r, "Expiration");
        XmlNode n = optional(r, "NoncurrentVersionExpiration");
        XmlNode a = optional(r, "AbortIncompleteMultipartUpload");
        return new LifecycleRule(id, enabled, filter, e == null ? null : expiration(e),
                n == null ? null : noncurrent(n), a == null ? null : abort(a));
    }

    private static LifecycleFilter filter(XmlNode f) {
        only(f, FILTER_CHILDREN);
        if (f.children().size() > 1) {
            throw XmlParser.malformed();
        }
        if (f.children().isEmpty()) {
            return new LifecycleFilter.All();
        }
        XmlNode c = f.children().getFirst();
        return switch (c.name()) {
            case "Prefix" -> new LifecycleFilter.Prefix(c.text());
            case "Tag" -> {
                Map.Entry<String, String> t = tag(c);
                yield new LifecycleFilter.Tag(t.getKey(), t.getValue());
            }
            case "ObjectSizeGreaterThan" -> new LifecycleFilter.SizeGreaterThan(number(c));
            case "ObjectSizeLessThan" -> new LifecycleFilter.SizeLessThan(number(c));
            case "And" -> and(c);
            default -> throw XmlParser.malformed();
        };
    }

    private static LifecycleFilter and(XmlNode and) {
        only(and, AND_CHILDREN);
        XmlNode prefix = optional(and, "Prefix");
        Map<String, String> tags = new LinkedHashMap<>();
        for (XmlNode t : and.all("Tag")) {
            Map.Entry<String, String> kv = tag(t);
            if (tags.put(kv.getKey(), kv.getValue()) != null) {
                throw StoreException.of(FailureKind.INVALID_REQUEST, "Duplicate Tag Keys are not allowed.");
            }
        }
        XmlNode gt = optional(and, "ObjectSizeGreaterThan");
        XmlNode lt = optional(and, "ObjectSizeLessThan");
        return new LifecycleFilter.And(prefix == null ? "" : prefix.text(), tags, gt == null ? null : number(gt),
                lt == null ? null : number(lt));
    }

    private static Map.Entry<String, String> tag(XmlNode t) {
        only(t, Set.of("Key", "Value"));
        return Map.entry(required(t, "Key").text(), required(t, "Value").text());
    }

    private static Expiration expiration(XmlNode e) {
        only(e, EXPIRATION_CHILDREN);
        if (e.children().size() != 1) {
            throw XmlParser.malformed();
        }
        XmlNode c = e.children().getFirst();
        return switch (c.name()) {
            case "Days" -> new Expiration.Days(int32(c));
            case "Date" -> new Expiration.OnDate(date(text(c)));
            case "ExpiredObjectDeleteMarker" -> new Expiration.ExpiredObjectDeleteMarker(bool(c));
            default -> throw XmlParser.malformed();
        };
    }

    private static NoncurrentVersionExpiration noncurrent(XmlNode n) {
        only(n, Set.of("NoncurrentDays", "NewerNoncurrentVersions"));
        XmlNode newer = optional(n, "NewerNoncurrentVersions");
        return new NoncurrentVersionExpiration(int32(required(n, "NoncurrentDays")), newer == null ? null : int32(newer));
    }

    private static AbortIncompleteMultipartUpload abort(XmlNode a) {
        only(a, Set.of("DaysAfterInitiation"));
        return new AbortIncompleteMultipartUpload(int32(required(a, "DaysAfterInitiation")));
    }

    /**
     * A Date: ISO 8601, which must be midnight UTC ({@code 2030-01-01T00:00:00Z}, with or without
     * fraction or offset, or a bare {@code 2030-01-01}).
     */
    private static LocalDate date(String s) {
        OffsetDateTime t;
        try {
            t = OffsetDateTime.parse(s);
        } catch (DateTimeParseException e) {
            try {
                t = s.length() == "yyyy-MM-dd".length() ? LocalDate.parse(s).atStartOfDay().atOffset(ZoneOffset.UTC)
                        : LocalDateTime.parse(s).atOffset(ZoneOffset.UTC);
            } catch (DateTimeParseException e2) {
                throw XmlParser.malformed();
            }
        }
        t = t.withOffsetSameInstant(ZoneOffset.UTC);
        if (t.toLocalTime().toNanoOfDay() != 0) {
            throw StoreException.of(FailureKind.INVALID_ARGUMENT, "'Date' must be at midnight GMT");
        }
        return t.toLocalDate();
    }

    /** GetBucketLifecycleConfiguration's response body. */
    public static String render(LifecycleConfiguration config) {
        return new String(write(config).toBytes(), StandardCharsets.UTF_8);
    }

    /** The response document as a writer, for {@code Responses.xml}. */
    public static XmlWriter write(LifecycleConfiguration config) {
        XmlWriter w = new XmlWriter().root(ROOT);
        for (LifecycleRule r : config.rules()) {
            w.start("Rule").element("ID", r.id());
            switch (r.filter()) {
                case LifecycleFilter.LegacyPrefix(String prefix) -> w.element("Prefix", prefix);
                case LifecycleFilter f -> {
                    w.start("Filter");
                    filterBody(w, f);
                    w.end();
                }
            }
            w.element("Status", r.enabled() ? "Enabled" : "Disabled");
            if (r.expiration() != null) {
                w.start("Expiration");
                switch (r.expiration()) {
                    case Expiration.Days(int days) -> w.element("Days", days);
                    case Expiration.OnDate(LocalDate date) -> w.element("Date", DATE_OUT.format(date));
                    case Expiration.ExpiredObjectDeleteMarker(boolean on) -> w.element("ExpiredObjectDeleteMarker", on);
                }
                w.end();
            }
            NoncurrentVersionExpiration n = r.noncurrentVersionExpiration();
            if (n != null) {
                w.start("NoncurrentVersionExpiration").element("NoncurrentDays", n.noncurrentDays());
                if (n.newerNoncurrentVersions() != null) {
                    w.element("NewerNoncurrentVersions", n.newerNoncurrentVersions());
                }
                w.end();
            }
            AbortIncompleteMultipartUpload a = r.abortIncompleteMultipartUpload();
            if (a != null) {
                w.start("AbortIncompleteMultipartUpload").element("DaysAfterInitiation", a.daysAfterInitiation()).end();
            }
            w.end();
        }
        return w.end();
    }

    private static void filterBody(XmlWriter w, LifecycleFilter f) {
        switch (f) {
            case LifecycleFilter.All ignored -> { }
            case LifecycleFilter.LegacyPrefix(String prefix) -> w.element("Prefix", prefix);
            case LifecycleFilter.Prefix(String prefix) -> w.element("Prefix", prefix);
            case LifecycleFilter.Tag(String key, String value) -> w.start("Tag").element("Key", key).element("Value", value).end();
            case LifecycleFilter.SizeGreaterThan(long bytes) -> w.element("ObjectSizeGreaterThan", bytes);
            case LifecycleFilter.SizeLessThan(long bytes) -> w.element("ObjectSizeLessThan", bytes);
            case LifecycleFilter.And(String prefix, Map<String, String> tags, Long gt, Long lt) -> {
                w.start("And");
                if (!prefix.isEmpty()) {
                    w.element("Prefix", prefix);
                }
                tags.forEach((k, v) -> w.start("Tag").element("Key", k).element("Value", v).end());
                if (gt != null) {
                    w.element("ObjectSizeGreaterThan", gt);
                }
                if (lt != null) {
                    w.element("ObjectSizeLessThan", lt);
                }
                w.end();
            }
        }
    }

    // --- structure helpers: every violation is MalformedXML ---

    /** Refuses children not in {@code allowed} and repeats of any but Rule and Tag. */
    private static void only(XmlNode node, Set<String> allowed) {
        for (XmlNode c : node.children()) {
            if (!allowed.contains(c.name())) {
                throw XmlParser.malformed();
            }
            if (!c.name().equals("Rule") && !c.name().equals("Tag") && node.all(c.name()).size() > 1) {
                throw XmlParser.malformed();
            }
        }
    }

    private static XmlNode optional(XmlNode node, String name) {
        return node.child(name).orElse(null);
    }

    private static XmlNode required(XmlNode node, String name) {
        return node.child(name).orElseThrow(XmlParser::malformed);
    }

    private static String text(XmlNode n) {
        return n.text().trim();
    }

    private static long number(XmlNode n) {
        try {
            return Long.parseLong(text(n));
        } catch (NumberFormatException e) {
            throw XmlParser.malformed();
        }
    }

    private static int int32(XmlNode n) {
        long v = number(n);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw XmlParser.malformed();
        }
        return (int) v;
    }

    private static boolean bool(XmlNode n) {
        return switch (text(n)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw XmlParser.malformed();
        };
    }
}

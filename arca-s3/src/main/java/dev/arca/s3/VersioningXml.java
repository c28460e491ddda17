package dev.arca.s3;

import dev.arca.core.Failure;
import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import dev.arca.meta.DefaultRetention;
import dev.arca.meta.Retention;
import dev.arca.meta.RetentionMode;
import dev.arca.meta.Versioning;
import dev.arca.s3.xml.XmlNode;
import dev.arca.s3.xml.XmlParser;
import dev.arca.s3.xml.XmlWriter;
import java.time.Instant;
import java.util.Map;

/**
 * The XML documents of S3 Versioning and Object Lock: VersioningConfiguration,
 * ObjectLockConfiguration, Retention and LegalHold. Parsing validates as S3 does: a document that
 * does not fit the schema (missing or unknown values) is MalformedXML; a well-formed default
 * retention period out of range is InvalidArgument.
 */
final class VersioningXml {
    /** Largest body accepted for these documents; real ones are a few hundred bytes. */
    static final int MAX_BODY_BYTES = 64 * 1024;

    private static final String ENABLED = "Enabled";
    private static final String SUSPENDED = "Suspended";

    private VersioningXml() {}

    /**
     * A PutBucketVersioning body: Status Enabled or Suspended (required). MfaDelete Disabled is
     * accepted; Enabled is NotImplemented, since Arca has no MFA devices.
     */
    static Versioning parseVersioning(XmlNode root) {
        requireRoot(root, "VersioningConfiguration");
        String mfaDelete = root.childText("MfaDelete");
        if (mfaDelete != null) {
            switch (mfaDelete) {
                case "Disabled" -> { }
                case ENABLED -> throw StoreException.of(FailureKind.NOT_IMPLEMENTED,
                        "MFA Delete is not supported: Arca has no MFA devices; send MfaDelete Disabled or omit it");
                default -> throw XmlParser.malformed();
            }
        }
        String status = root.childText("Status");
        if (status == null) {
            throw XmlParser.malformed();
        }
        return switch (status) {
            case ENABLED -> Versioning.ENABLED;
            case SUSPENDED -> Versioning.SUSPENDED;
            default -> throw XmlParser.malformed();
        };
    }

    /** A GetBucketVersioning answer: no Status for a bucket whose versioning was never enabled. */
    static XmlWriter renderVersioning(Versioning versioning) {
        XmlWriter xml = new XmlWriter().root("VersioningConfiguration");
        switch (versioning) {
            case UNVERSIONED -> { }
            case ENABLED -> xml.element("Status", ENABLED);
            case SUSPENDED -> xml.element("Status", SUSPENDED);
        }
        return xml.end();
    }

    /**
     * A PutObjectLockConfiguration body: ObjectLockEnabled must be Enabled; an optional
     * Rule/DefaultRetention names a Mode and exactly one of Days or Years. Returns the default
     * retention, or null when there is no rule.
     */
    static DefaultRetention parseObjectLock(XmlNode root) {
        requireRoot(root, "ObjectLockConfiguration");
        if (!ENABLED.equals(root.childText("ObjectLockEnabled"))) {
            throw XmlParser.malformed();
        }
        XmlNode rule = root.child("Rule").orElse(null);
        if (rule == null) {
            return null;
        }
        XmlNode retention = rule.child("DefaultRetention").orElseThrow(XmlParser::malformed);
        String modeText = retention.childText("Mode");
        RetentionMode mode = modeText == null ? null : RequestHeaders.retentionMode(modeText);
        if (mode == null) {
            throw XmlParser.malformed();
        }
        String days = retention.childText("Days");
        String years = retention.childText("Years");
        if ((days == null) == (years == null)) {
            throw XmlParser.malformed();
        }
        int period = days != null ? integer(days) : integer(years);
        if (period <= 0) {
            throw periodArgument("Default retention period must be a positive integer value.", days != null ? days : years);
        }
        if (days != null && period > DefaultRetention.MAX_DAYS || years != null && period > DefaultRetention.MAX_YEARS) {
            throw periodArgument("Default retention period too large.", days != null ? days : years);
        }
        return days != null ? new DefaultRetention(mode, period, 0) : new DefaultRetention(mode, 0, period);
    }

    /** A GetObjectLockConfiguration answer for a bucket with Object Lock enabled. */
    static XmlWriter renderObjectLock(DefaultRetention defaultRetention) {
        XmlWriter xml = new XmlWriter().root("ObjectLockConfiguration").element("ObjectLockEnabled", ENABLED);
        if (defaultRetention != null) {
            xml.start("Rule").start("DefaultRetention").element("Mode", defaultRetention.mode().name());
            if (defaultRetention.days() > 0) {
                xml.element("Days", defaultRetention.days());
            } else {
                xml.element("Years", defaultRetention.years());
            }
            xml.end().end();
        }
        return xml.end();
    }

    /**
     * A PutObjectRetention body: Mode and RetainUntilDate together, or neither (an empty
     * {@code <Retention/>}) to remove the retention, which gives null.
     */
    static Retention parseRetention(XmlNode root) {
        requireRoot(root, "Retention");
        String modeText = root.childText("Mode");
        String until = root.childText("RetainUntilDate");
        if (modeText == null && until == null) {
            return null;
        }
        if (modeText == null || until == null) {
            throw XmlParser.malformed();
        }
        RetentionMode mode = RequestHeaders.retentionMode(modeText);
        Instant instant = HttpDates.parseIso(until);
        if (mode == null || instant == null) {
            throw XmlParser.malformed();
        }
        return new Retention(mode, instant.toEpochMilli());
    }

    static XmlWriter renderRetention(Retention retention) {
        return new XmlWriter().root("Retention")
                .element("Mode", retention.mode().name())
                .element("RetainUntilDate", HttpDates.iso(retention.retainUntilMillis()))
                .end();
    }

    /** A PutObjectLegalHold body: Status ON or OFF; returns whether the hold is on. */
    static boolean parseLegalHold(XmlNode root) {
        requireRoot(root, "LegalHold");
        String status = root.childText("Status");
        if (status == null) {
            throw XmlParser.malformed();
        }
        return switch (status) {
            case "ON" -> true;
            case "OFF" -> false;
            default -> throw XmlParser.malformed();
        };
    }

    static XmlWriter renderLegalHold(boolean on) {
        return new XmlWriter().root("LegalHold").element("Status", on ? "ON" : "OFF").end();
    }

    private static void requireRoot(XmlNode root, String name) {
        if (!root.name().equals(name)) {
            throw XmlParser.malformed();
        }
    }

    private static int integer(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw XmlParser.malformed();
        }
    }

    private static StoreException periodArgument(String message, String value) {
        return new StoreException(new Failure(FailureKind.INVALID_ARGUMENT, message, "",
                Map.of("ArgumentName", "DefaultRetention", "ArgumentValue", value)));
    }
}

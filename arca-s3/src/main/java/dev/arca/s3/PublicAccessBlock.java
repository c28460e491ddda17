package dev.arca.s3;

import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import dev.arca.s3.xml.XmlNode;
import dev.arca.s3.xml.XmlWriter;
import java.nio.charset.StandardCharsets;

/**
 * A bucket's PublicAccessBlockConfiguration. Arca has no public ACLs (only the owner's grant), so
 * the ACL flags are stored and reported; BlockPublicPolicy refuses public bucket policies and
 * RestrictPublicBuckets makes a public policy grant nothing outside the bucket's account.
 */
record PublicAccessBlock(boolean blockPublicAcls, boolean ignorePublicAcls, boolean blockPublicPolicy,
        boolean restrictPublicBuckets) {
    static final PublicAccessBlock NONE = new PublicAccessBlock(false, false, false, false);
    /** Stored form: four '0'/'1' characters in element order (small, versioned by its length). */
    private static final int STORED_LENGTH = 4;

    static PublicAccessBlock parse(XmlNode root) {
        return new PublicAccessBlock(flag(root, "BlockPublicAcls"), flag(root, "IgnorePublicAcls"),
                flag(root, "BlockPublicPolicy"), flag(root, "RestrictPublicBuckets"));
    }

    private static boolean flag(XmlNode root, String name) {
        String v = root.childText(name);
        if (v == null) {
            return false;
        }
        return switch (v.strip()) {
            case "true", "TRUE", "True" -> true;
            case "false", "FALSE", "False" -> false;
            default -> throw StoreException.of(FailureKind.MALFORMED_XML,
                    "The XML you provided was not well-formed or did not validate against our published schema");
        };
    }

    XmlWriter render() {
        return new XmlWriter().root("PublicAccessBlockConfiguration")
                .element("BlockPublicAcls", blockPublicAcls).element("IgnorePublicAcls", ignorePublicAcls)
                .element("BlockPublicPolicy", blockPublicPolicy).element("RestrictPublicBuckets", restrictPublicBuckets)
                .end();
    }

    byte[] encode() {
        return ((blockPublicAcls ? "1" : "0") + (ignorePublicAcls ? "1" : "0") + (blockPublicPolicy ? "1" : "0")
                + (restrictPublicBuckets ? "1" : "0")).getBytes(StandardCharsets.US_ASCII);
    }

    static PublicAccessBlock decode(byte[] raw) {
        if (raw.length != STORED_LENGTH) {
            throw new IllegalStateException("corrupt public access block of " + raw.length + " bytes");
        }
        return new PublicAccessBlock(raw[0] == '1', raw[1] == '1', raw[2] == '1', raw[3] == '1');
    }
}

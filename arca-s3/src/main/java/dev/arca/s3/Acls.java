package dev.arca.s3;

import dev.arca.object.Owner;
import dev.arca.s3.xml.XmlWriter;

/**
 * ACLs as S3 reports them with "bucket owner enforced" object ownership (the AWS default): the
 * owner has FULL_CONTROL and nothing else can be granted.
 */
final class Acls {
    private Acls() {}

    static XmlWriter ownerFullControl(String ownerId, Owner requester) {
        String name = ownerId.equals(requester.id()) ? requester.displayName() : ownerId;
        return new XmlWriter().root("AccessControlPolicy")
                .start("Owner").element("ID", ownerId).element("DisplayName", name).end()
                .start("AccessControlList").start("Grant")
                .startWithAttributes("Grantee", "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"CanonicalUser\"")
                .element("ID", ownerId).element("DisplayName", name).end()
                .element("Permission", "FULL_CONTROL").end().end().end();
    }
}

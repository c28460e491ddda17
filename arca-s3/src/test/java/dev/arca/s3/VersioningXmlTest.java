package dev.arca.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import dev.arca.meta.DefaultRetention;
import dev.arca.meta.Retention;
import dev.arca.meta.RetentionMode;
import dev.arca.meta.Versioning;
import dev.arca.s3.xml.XmlNode;
import dev.arca.s3.xml.XmlParser;
import dev.arca.s3.xml.XmlWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class VersioningXmlTest {
    private static final String NS = " xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"";

    private static XmlNode xml(String s) {
        return XmlParser.parse(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(XmlWriter w) {
        return new String(w.toBytes(), StandardCharsets.UTF_8);
    }

    private static FailureKind failure(Function<XmlNode, ?> parser, String doc) {
        try {
            parser.apply(xml(doc));
        } catch (StoreException e) {
            return e.kind();
        }
        throw new AssertionError("parsed: " + doc);
    }

    @Test
    void versioningConfigurationParsesStatusAndMfaDelete() {
        assertThat(VersioningXml.parseVersioning(xml("<VersioningConfiguration" + NS + "><Status>Enabled</Status></VersioningConfiguration>")))
                .isEqualTo(Versioning.ENABLED);
        assertThat(VersioningXml.parseVersioning(xml(
                "<VersioningConfiguration><Status>Suspended</Status><MfaDelete>Disabled</MfaDelete></VersioningConfiguration>")))
                .isEqualTo(Versioning.SUSPENDED);
        Function<XmlNode, ?> p = VersioningXml::parseVersioning;
        assertThat(failure(p, "<VersioningConfiguration/>")).isEqualTo(FailureKind.MALFORMED_XML);
        assertThat(failure(p, "<VersioningConfiguration><Status>enabled</Status></VersioningConfiguration>"))
                .isEqualTo(FailureKind.MALFORMED_XML);
        assertThat(failure(p, "<VersioningConfiguration><Status>Disabled</Status></VersioningConfiguration>"))
                .isEqualTo(FailureKind.MALFORMED_XML);
        assertThat(failure(p, "<Versioning><Status>Enabled</Status></Versioning>")).isEqualTo(FailureKind.MALFORMED_XML);
        assertThat(failure(p, "<VersioningConfiguration><Status>Enabled</Status><MfaDelete>Enabled</MfaDelete></VersioningConfiguration>"))
                .isEqualTo(FailureKind.NOT_IMPLEMENTED);
        assertThat(failure(p, "<VersioningConfiguration><Status>Enabled</Status><MfaDelete>On</MfaDelete></VersioningConfiguration>"))
                .isEqualTo(FailureKind.MALFORMED_XML);
    }

    @Test
    void versioningStatusIsOmittedUntilEnabled() {
        assertThat(text(VersioningXml.renderVersioning(Versioning.UNVERSIONED)))
                .endsWith("<VersioningConfiguration" + NS + "></VersioningConfiguration>");
        assertThat(text(VersioningXml.renderVersioning(Versioning.ENABLED))).contains("<Status>Enabled</Status>");
        assertThat(text(VersioningXml.renderVersioning(Versioning.SUSPENDED))).contains("<Status>Suspended</Status>");
        assertThat(text(VersioningXml.renderVersioning(Versioning.ENABLED))).doesNotContain("MfaDelete");
    }

    @Test
    void objectLockConfigurationRoundTrips() {
        String days = "<ObjectLockConfiguration" + NS + "><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention>"
                + "<Mode>GOVERNANCE</Mode><Days>30</Days></DefaultRetention></Rule></ObjectLockConfiguration>";
        DefaultRetention d = VersioningXml.parseObjectLock(xml(days));
        assertThat(d).isEqualTo(new DefaultRetention(RetentionMode.GOVERNANCE, 30, 0));
        assertThat(text(VersioningXml.renderObjectLock(d))).endsWith(days);
        String years = "<ObjectLockConfiguration" + NS + "><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention>"
                + "<Mode>COMPLIANCE</Mode><Years>2</Years></DefaultRetention></Rule></ObjectLockConfiguration>";
        assertThat(VersioningXml.parseObjectLock(xml(years))).isEqualTo(new DefaultRetention(RetentionMode.COMPLIANCE, 0, 2));
        assertThat(text(VersioningXml.renderObjectLock(VersioningXml.parseObjectLock(xml(years))))).endsWith(years);
        String none = "<ObjectLockConfiguration" + NS + "><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>";
        assertThat(VersioningXml.parseObjectLock(xml(none))).isNull();
        assertThat(text(VersioningXml.renderObjectLock(null))).endsWith(none);
    }

    @Test
    void objectLockConfigurationIsValidatedAsS3Does() {
        Function<XmlNode, ?> p = VersioningXml::parseObjectLock;
        String enabled = "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled>";
        assertThat(failure(p, "<ObjectLockConfiguration/>")).isEqualTo(FailureKind.MALFORMED_XML);
        assertThat(failure(p, "<ObjectLockConfiguration><ObjectLockEnabled>Disabled</ObjectLockEnabled></ObjectLockConfiguration>"))
                .isEqualTo(FailureKind.MALFORMED_XML);
        assertThat(failure(p, enabled + "<Rule/></ObjectLockConfiguration>")).isEqualTo(FailureKind.MALFORMED_XML);
        assertThat(failure(p, enabled + rule("<Mode>GOVERNANCE</Mode><Days>1</Days><Years>1</Years>")))
                .isEqualTo(FailureKind.MALFORMED_XML);
        assertThat(failure(p, enabled + rule("<Mode>GOVERNANCE</Mode>"))).isEqualTo(FailureKind.MALFORMED_XML);
        assertThat(failure(p, enabled + rule("<Days>1</Days>"))).isEqualTo(FailureKind.MALFORMED_XML);
        assertThat(failure(p, enabled + rule("<Mode>governance</Mode><Days>1</Days>"))).isEqualTo(FailureKind.MALFORMED_XML);
        assertThat(failure(p, enabled + rule("<Mode>GOVERNANCE</Mode><Days>one</Days>"))).isEqualTo(FailureKind.MALFORMED_XML);
        assertThat(failure(p, enabled + rule("<Mode>GOVERNANCE</Mode><Days>0</Days>"))).isEqualTo(FailureKind.INVALID_ARGUMENT);
        assertThat(failure(p, enabled + rule("<Mode>GOVERNANCE</Mode><Years>-1</Years>"))).isEqualTo(FailureKind.INVALID_ARGUMENT);
        assertThat(failure(p, enabled + rule("<Mode>GOVERNANCE</Mode><Years>" + (DefaultRetention.MAX_YEARS + 1) + "</Years>")))
                .isEqualTo(FailureKind.INVALID_ARGUMENT);
        assertThat(failure(p, enabled + rule("<Mode>GOVERNANCE</Mode><Days>" + (DefaultRetention.MAX_DAYS + 1) + "</Days>")))
                .isEqualTo(FailureKind.INVALID_ARGUMENT);
        assertThat(VersioningXml.parseObjectLock(xml(enabled + rule("<Mode>GOVERNANCE</Mode><Days>" + DefaultRetention.MAX_DAYS + "</Days>"))))
                .isEqualTo(new DefaultRetention(RetentionMode.GOVERNANCE, DefaultRetention.MAX_DAYS, 0));
    }

    private static String rule(String retention) {
        return "<Rule><DefaultRetention>" + retention + "</DefaultRetention></Rule></ObjectLockConfiguration>";
    }

    @Test
    void retentionParsesRendersAndRemoves() {
        long until = Instant.parse("2030-02-01T00:00:00Z").toEpochMilli();
        assertThat(VersioningXml.parseRetention(xml("<Retention" + NS + "><Mode>COMPLIANCE</Mode>"
                + "<RetainUntilDate>2030-02-01T00:00:00Z</RetainUntilDate></Retention>")))
                .isEqualTo(new Retention(RetentionMode.COMPLIANCE, until));
        assertThat(VersioningXml.parseRetention(xml("<Retention><Mode>GOVERNANCE</Mode>"
                + "<RetainUntilDate>2030-02-01T01:00:00.000+01:00</RetainUntilDate></Retention>")))
                .isEqualTo(new Retention(RetentionMode.GOVERNANCE, until));
        assertThat(VersioningXml.parseRetention(xml("<Retention/>"))).isNull();
        assertThat(text(VersioningXml.renderRetention(new Retention(RetentionMode.GOVERNANCE, until))))
                .endsWith("<Retention" + NS + "><Mode>GOVERNANCE</Mode><RetainUntilDate>2030-02-01T00:00:00.000Z</RetainUntilDate></Retention>");
        Function<XmlNode, ?> p = VersioningXml::parseRetention;
        assertThat(failure(p, "<Retention><Mode>GOVERNANCE</Mode></Retention>")).isEqualTo(FailureKind.MALFORMED_XML);
        assertThat(failure(p, "<Retention><RetainUntilDate>2030-02-01T00:00:00Z</RetainUntilDate></Retention>"))
                .isEqualTo(FailureKind.MALFORMED_XML);
        assertThat(failure(p, "<Retention><Mode>invalid</Mode><RetainUntilDate>2030-02-01T00:00:00Z</RetainUntilDate></Retention>"))
                .isEqualTo(FailureKind.MALFORMED_XML);
        assertThat(failure(p, "<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>tomorrow</RetainUntilDate></Retention>"))
                .isEqualTo(FailureKind.MALFORMED_XML);
    }

    @Test
    void legalHoldIsOnOrOff() {
        assertThat(VersioningXml.parseLegalHold(xml("<LegalHold" + NS + "><Status>ON</Status></LegalHold>"))).isTrue();
        assertThat(VersioningXml.parseLegalHold(xml("<LegalHold><Status>OFF</Status></LegalHold>"))).isFalse();
        Function<XmlNode, ?> p = VersioningXml::parseLegalHold;
        assertThat(failure(p, "<LegalHold><Status>abc</Status></LegalHold>")).isEqualTo(FailureKind.MALFORMED_XML);
        assertThat(failure(p, "<LegalHold/>")).isEqualTo(FailureKind.MALFORMED_XML);
        assertThat(failure(p, "<Hold><Status>ON</Status></Hold>")).isEqualTo(FailureKind.MALFORMED_XML);
        assertThat(text(VersioningXml.renderLegalHold(true))).endsWith("<LegalHold" + NS + "><Status>ON</Status></LegalHold>");
        assertThat(text(VersioningXml.renderLegalHold(false))).contains("<Status>OFF</Status>");
    }
}

package dev.arca.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LifecycleXmlTest {
    private static final String NS = "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"";

    private static LifecycleConfiguration parse(String xml) {
        return LifecycleXml.parse(xml.getBytes(StandardCharsets.UTF_8));
    }

    private static String doc(String rules) {
        return "<LifecycleConfiguration " + NS + ">" + rules + "</LifecycleConfiguration>";
    }

    /** A rule with the given inner XML, defaulting the parts a test does not care about. */
    private static String rule(String inner) {
        return "<Rule>" + inner + "</Rule>";
    }

    // The examples of the AWS S3 user guide ("Examples of S3 Lifecycle configurations") that Arca supports.

    @Test
    void awsExampleExpireByPrefix() {
        LifecycleConfiguration c = parse("""
                <LifecycleConfiguration>
                  <Rule>
                    <ID>ExampleRule</ID>
                    <Filter>
                       <Prefix>logs/</Prefix>
                    </Filter>
                    <Status>Enabled</Status>
                    <Expiration>
                      <Days>365</Days>
                    </Expiration>
                  </Rule>
                </LifecycleConfiguration>
                """);
        assertThat(c.rules()).containsExactly(new LifecycleRule("ExampleRule", true, new LifecycleFilter.Prefix("logs/"),
                new Expiration.Days(365), null, null));
    }

    @Test
    void awsExampleTagsAndPrefixAndNoncurrent() {
        LifecycleConfiguration c = parse("""
                <LifecycleConfiguration>
                  <Rule>
                    <ID>Rule 1</ID>
                    <Filter>
                      <And>
                        <Prefix>projectA/</Prefix>
                        <Tag>
                           <Key>key1</Key>
                           <Value>value1</Value>
                        </Tag>
                        <Tag>
                           <Key>key2</Key>
                           <Value>value2</Value>
                        </Tag>
                        <ObjectSizeGreaterThan>500</ObjectSizeGreaterThan>
                        <ObjectSizeLessThan>64000</ObjectSizeLessThan>
                      </And>
                    </Filter>
                    <Status>Enabled</Status>
                    <NoncurrentVersionExpiration>
                      <NewerNoncurrentVersions>5</NewerNoncurrentVersions>
                      <NoncurrentDays>30</NoncurrentDays>
                    </NoncurrentVersionExpiration>
                  </Rule>
                </LifecycleConfiguration>
                """);
        LifecycleRule r = c.rules().getFirst();
        assertThat(r.filter()).isEqualTo(new LifecycleFilter.And("projectA/", Map.of("key1", "value1", "key2", "value2"),
                500L, 64000L));
        assertThat(r.filter().tags().keySet()).containsExactly("key1", "key2");
        assertThat(r.noncurrentVersionExpiration()).isEqualTo(new NoncurrentVersionExpiration(30, 5));
    }

    @Test
    void awsExampleDeleteMarkersAndUploads() {
        LifecycleConfiguration c = parse("""
                <LifecycleConfiguration>
                  <Rule>
                    <ID>ExampleRule</ID>
                    <Filter>
                       <Prefix></Prefix>
                    </Filter>
                    <Status>Enabled</Status>
                    <Expiration>
                       <ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker>
                    </Expiration>
                    <NoncurrentVersionExpiration>
                       <NoncurrentDays>30</NoncurrentDays>
                    </NoncurrentVersionExpiration>
                    <AbortIncompleteMultipartUpload>
                      <DaysAfterInitiation>7</DaysAfterInitiation>
                    </AbortIncompleteMultipartUpload>
                  </Rule>
                </LifecycleConfiguration>
                """);
        LifecycleRule r = c.rules().getFirst();
        assertThat(r.filter()).isEqualTo(new LifecycleFilter.Prefix(""));
        assertThat(r.expiration()).isEqualTo(new Expiration.ExpiredObjectDeleteMarker(true));
        assertThat(r.noncurrentVersionExpiration()).isEqualTo(new NoncurrentVersionExpiration(30, null));
        assertThat(r.abortIncompleteMultipartUpload()).isEqualTo(new AbortIncompleteMultipartUpload(7));
    }

    @Test
    void legacyPrefixDateEmptyFilterAndGeneratedIds() {
        LifecycleConfiguration c = parse(doc(
                rule("<Prefix>old/</Prefix><Status>Disabled</Status><Expiration><Date>2030-01-01T00:00:00.000Z</Date></Expiration>")
                        + rule("<Filter/><Status>Enabled</Status><Expiration><Date>2030-01-02T00:00:00Z</Date></Expiration>")
                        + rule("<Filter></Filter><Status>Enabled</Status><Expiration><Date>2030-01-03</Date></Expiration>")
                        + rule("<Filter><Tag><Key>k</Key><Value></Value></Tag></Filter><Status>Enabled</Status>"
                                + "<Expiration><Date>2030-01-04T01:00:00+01:00</Date></Expiration>")
                        + rule("<Filter><ObjectSizeGreaterThan>0</ObjectSizeGreaterThan></Filter><Status>Enabled</Status>"
                                + "<Expiration><Days>1</Days></Expiration>")
                        + rule("<Filter><ObjectSizeLessThan>10</ObjectSizeLessThan></Filter><Status>Enabled</Status>"
                                + "<Expiration><Days>2</Days></Expiration>")));
        assertThat(c.rules()).extracting(LifecycleRule::id)
                .containsExactly("rule-1", "rule-2", "rule-3", "rule-4", "rule-5", "rule-6");
        assertThat(c.rules()).extracting(LifecycleRule::filter).containsExactly(
                new LifecycleFilter.LegacyPrefix("old/"), new LifecycleFilter.All(), new LifecycleFilter.All(),
                new LifecycleFilter.Tag("k", ""), new LifecycleFilter.SizeGreaterThan(0), new LifecycleFilter.SizeLessThan(10));
        assertThat(c.rules()).extracting(LifecycleRule::expiration).startsWith(
                new Expiration.OnDate(LocalDate.of(2030, 1, 1)), new Expiration.OnDate(LocalDate.of(2030, 1, 2)),
                new Expiration.OnDate(LocalDate.of(2030, 1, 3)), new Expiration.OnDate(LocalDate.of(2030, 1, 4)));
        assertThat(c.rules().getFirst().enabled()).isFalse();
    }

    @Test
    void renderParsesBackToTheSameConfiguration() {
        LifecycleConfiguration c = parse(doc(
                rule("<ID>a &amp; b</ID><Prefix>old/</Prefix><Status>Disabled</Status>"
                        + "<Expiration><Date>2030-01-01T00:00:00.000Z</Date></Expiration>")
                        + rule("<ID>b</ID><Filter/><Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>false"
                                + "</ExpiredObjectDeleteMarker></Expiration><AbortIncompleteMultipartUpload>"
                                + "<DaysAfterInitiation>3</DaysAfterInitiation></AbortIncompleteMultipartUpload>")
                        + rule("<ID>c</ID><Filter><And><Tag><Key>z</Key><Value>1</Value></Tag><Tag><Key>a</Key><Value>2</Value>"
                                + "</Tag><ObjectSizeLessThan>99</ObjectSizeLessThan></And></Filter><Status>Enabled</Status>"
                                + "<Expiration><Days>5</Days></Expiration><NoncurrentVersionExpiration><NoncurrentDays>4"
                                + "</NoncurrentDays><NewerNoncurrentVersions>100</NewerNoncurrentVersions>"
                                + "</NoncurrentVersionExpiration>")
                        + rule("<ID>d</ID><Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status>"
                                + "<Expiration><Days>1</Days></Expiration>")
                        + rule("<ID>e</ID><Filter><Prefix> spaced </Prefix></Filter><Status>Enabled</Status>"
                                + "<Expiration><Days>1</Days></Expiration>")));
        String xml = LifecycleXml.render(c);
        assertThat(xml).contains(NS).contains("<Date>2030-01-01T00:00:00.000Z</Date>")
                .contains("<ID>a &amp; b</ID><Prefix>old/</Prefix>").contains("<Prefix> spaced </Prefix>");
        assertThat(LifecycleXml.parse(xml.getBytes(StandardCharsets.UTF_8))).isEqualTo(c);
        XmlNode root = XmlParser.parse(xml.getBytes(StandardCharsets.UTF_8));
        assertThat(root.name()).isEqualTo("LifecycleConfiguration");
        assertThat(root.all("Rule").get(2).child("Filter").orElseThrow().child("And").orElseThrow().all("Tag"))
                .extracting(t -> t.childText("Key")).containsExactly("z", "a");
    }

    static Stream<Arguments> badInput() {
        String ok = "<Filter/><Status>Enabled</Status>";
        String days = "<Expiration><Days>1</Days></Expiration>";
        return Stream.of(
                Arguments.of("empty body", "", FailureKind.MALFORMED_XML),
                Arguments.of("not XML", "lifecycle", FailureKind.MALFORMED_XML),
                Arguments.of("wrong root", "<Lifecycle><Rule/></Lifecycle>", FailureKind.MALFORMED_XML),
                Arguments.of("no rules", doc(""), FailureKind.MALFORMED_XML),
                Arguments.of("unknown element", doc(rule(ok + days + "<Foo/>")), FailureKind.MALFORMED_XML),
                Arguments.of("unknown root child", doc(rule(ok + days) + "<Foo/>"), FailureKind.MALFORMED_XML),
                Arguments.of("no Status", doc(rule("<Filter/>" + days)), FailureKind.MALFORMED_XML),
                Arguments.of("bad Status", doc(rule("<Filter/><Status>enabled</Status>" + days)), FailureKind.MALFORMED_XML),
                Arguments.of("Filter and Prefix", doc(rule("<Prefix/>" + ok + days)), FailureKind.MALFORMED_XML),
                Arguments.of("neither Filter nor Prefix", doc(rule("<Status>Enabled</Status>" + days)),
                        FailureKind.MALFORMED_XML),
                Arguments.of("two Filters", doc(rule("<Filter/>" + ok + days)), FailureKind.MALFORMED_XML),
                Arguments.of("Prefix and Tag without And", doc(rule("<Filter><Prefix>a</Prefix><Tag><Key>k</Key>"
                        + "<Value>v</Value></Tag></Filter><Status>Enabled</Status>" + days)), FailureKind.MALFORMED_XML),
                Arguments.of("Tag without Value", doc(rule("<Filter><Tag><Key>k</Key></Tag></Filter><Status>Enabled"
                        + "</Status>" + days)), FailureKind.MALFORMED_XML),
                Arguments.of("empty And", doc(rule("<Filter><And/></Filter><Status>Enabled</Status>" + days)),
                        FailureKind.MALFORMED_XML),
                Arguments.of("duplicate And tags", doc(rule("<Filter><And><Tag><Key>k</Key><Value>1</Value></Tag><Tag>"
                        + "<Key>k</Key><Value>2</Value></Tag></And></Filter><Status>Enabled</Status>" + days)),
                        FailureKind.INVALID_REQUEST),
                Arguments.of("Days and Date", doc(rule(ok + "<Expiration><Days>1</Days><Date>2030-01-01T00:00:00Z</Date>"
                        + "</Expiration>")), FailureKind.MALFORMED_XML),
                Arguments.of("Days and ExpiredObjectDeleteMarker", doc(rule(ok + "<Expiration><Days>1</Days>"
                        + "<ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>")), FailureKind.MALFORMED_XML),
                Arguments.of("empty Expiration", doc(rule(ok + "<Expiration/>")), FailureKind.MALFORMED_XML),
                Arguments.of("Days not a number", doc(rule(ok + "<Expiration><Days>ten</Days></Expiration>")),
                        FailureKind.MALFORMED_XML),
                Arguments.of("Days too big", doc(rule(ok + "<Expiration><Days>99999999999</Days></Expiration>")),
                        FailureKind.MALFORMED_XML),
                Arguments.of("Days zero", doc(rule(ok + "<Expiration><Days>0</Days></Expiration>")),
                        FailureKind.INVALID_ARGUMENT),
                Arguments.of("Date not midnight", doc(rule(ok + "<Expiration><Date>2030-01-01T10:00:00Z</Date></Expiration>")),
                        FailureKind.INVALID_ARGUMENT),
                Arguments.of("Date garbage", doc(rule(ok + "<Expiration><Date>tomorrow</Date></Expiration>")),
                        FailureKind.MALFORMED_XML),
                Arguments.of("marker not boolean", doc(rule(ok + "<Expiration><ExpiredObjectDeleteMarker>yes"
                        + "</ExpiredObjectDeleteMarker></Expiration>")), FailureKind.MALFORMED_XML),
                Arguments.of("NoncurrentDays missing", doc(rule(ok + "<NoncurrentVersionExpiration><NewerNoncurrentVersions>1"
                        + "</NewerNoncurrentVersions></NoncurrentVersionExpiration>")), FailureKind.MALFORMED_XML),
                Arguments.of("NewerNoncurrentVersions 0", doc(rule(ok + "<NoncurrentVersionExpiration><NoncurrentDays>1"
                        + "</NoncurrentDays><NewerNoncurrentVersions>0</NewerNoncurrentVersions>"
                        + "</NoncurrentVersionExpiration>")), FailureKind.INVALID_ARGUMENT),
                Arguments.of("no action", doc(rule(ok)), FailureKind.INVALID_REQUEST),
                Arguments.of("marker with tag", doc(rule("<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter>"
                        + "<Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker>"
                        + "</Expiration>")), FailureKind.INVALID_REQUEST),
                Arguments.of("abort with tag", doc(rule("<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter>"
                        + "<Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>1"
                        + "</DaysAfterInitiation></AbortIncompleteMultipartUpload>")), FailureKind.INVALID_REQUEST),
                Arguments.of("duplicate IDs", doc(rule("<ID>x</ID>" + ok + days) + rule("<ID>x</ID>" + ok + days)),
                        FailureKind.INVALID_ARGUMENT),
                Arguments.of("transition", doc(rule(ok + "<Transition><Days>30</Days><StorageClass>GLACIER</StorageClass>"
                        + "</Transition>")), FailureKind.NOT_IMPLEMENTED),
                Arguments.of("DOCTYPE", "<!DOCTYPE x [<!ENTITY e \"e\">]>" + doc(rule(ok + days)), FailureKind.MALFORMED_XML));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInput")
    void refusesBadInput(String name, String xml, FailureKind kind) {
        assertThatThrownBy(() -> parse(xml)).isInstanceOfSatisfying(StoreException.class,
                e -> assertThat(e.kind()).isEqualTo(kind));
    }
}

package dev.arca.s3.xml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class XmlTest {
    private static XmlNode parse(String xml) {
        return XmlParser.parse(xml.getBytes(StandardCharsets.UTF_8));
    }

    private static FailureKind kindOf(String xml) {
        try {
            parse(xml);
        } catch (StoreException e) {
            return e.kind();
        }
        throw new AssertionError("parsed: " + xml);
    }

    @Test
    void parsesS3DocumentsWithNamespacesAndEntities() {
        XmlNode root = parse("<?xml version=\"1.0\"?><Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                + "<Quiet>true</Quiet><Object><Key>a &amp; b &lt;c&gt; &#x263A;</Key></Object>"
                + "<Object><Key><![CDATA[x<y]]></Key></Object></Delete>");
        assertThat(root.name()).isEqualTo("Delete");
        assertThat(root.childText("Quiet")).isEqualTo("true");
        assertThat(root.all("Object")).extracting(o -> o.childText("Key")).containsExactly("a & b <c> ☺", "x<y");
    }

    @Test
    void refusesDoctypesAndExternalEntities(@TempDir Path dir) throws Exception {
        Path secret = dir.resolve("secret");
        Files.writeString(secret, "TOP-SECRET");
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY x SYSTEM \"file://" + secret + "\">]><Delete><Object><Key>&x;</Key></Object></Delete>";
        assertThat(kindOf(xxe)).isEqualTo(FailureKind.MALFORMED_XML);
        String billion = "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]><T>&b;</T>";
        assertThat(kindOf(billion)).isEqualTo(FailureKind.MALFORMED_XML);
    }

    @Test
    void refusesMalformedAndOverDeepDocuments() {
        assertThat(kindOf("")).isEqualTo(FailureKind.MALFORMED_XML);
        assertThat(kindOf("<a><b></a>")).isEqualTo(FailureKind.MALFORMED_XML);
        assertThat(kindOf("<a/><b/>")).isEqualTo(FailureKind.MALFORMED_XML);
        assertThat(kindOf("not xml")).isEqualTo(FailureKind.MALFORMED_XML);
        assertThat(kindOf("<a>".repeat(XmlParser.MAX_DEPTH + 1) + "</a>".repeat(XmlParser.MAX_DEPTH + 1)))
                .isEqualTo(FailureKind.MALFORMED_XML);
        assertThat(parse("<a>".repeat(XmlParser.MAX_DEPTH) + "</a>".repeat(XmlParser.MAX_DEPTH)).name()).isEqualTo("a");
    }

    @Test
    void writerEscapesTextAndControlCharacters() {
        byte[] out = new XmlWriter().root("R").element("K", "a<b>&\"c'\u0001\t").end().toBytes();
        String s = new String(out, StandardCharsets.UTF_8);
        assertThat(s).contains("<K>a&lt;b&gt;&amp;&quot;c&apos;&#x1;\t</K>");
        assertThat(s).startsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
        assertThat(s).contains("<R xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">");
        // what we write parses back to the same text (except the C0 control, which XML 1.0 forbids)
        assertThat(XmlParser.parse(new XmlWriter().root("R").element("K", "a<b>&\"c'").end().toBytes()).childText("K"))
                .isEqualTo("a<b>&\"c'");
        assertThatThrownBy(() -> new XmlWriter().root("R").toBytes()).isInstanceOf(IllegalStateException.class);
    }
}

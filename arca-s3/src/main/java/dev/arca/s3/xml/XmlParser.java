package dev.arca.s3.xml;

import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import java.io.ByteArrayInputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Parses small S3 request documents into {@link XmlNode}s with StAX. DTDs and external entities
 * are refused (a document with a DOCTYPE is malformed for S3), and depth and element count are
 * bounded, so a hostile body cannot expand or exhaust memory.
 */
public final class XmlParser {
    /** Deepest element nesting accepted; S3 request documents need 4. */
    public static final int MAX_DEPTH = 16;
    /** Most elements in one document: 10,000 parts with a few children each. */
    public static final int MAX_ELEMENTS = 100_000;

    private static final XMLInputFactory FACTORY = factory();

    private XmlParser() {}

    private static XMLInputFactory factory() {
        XMLInputFactory f = XMLInputFactory.newFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        f.setProperty(XMLInputFactory.IS_COALESCING, true);
        return f;
    }

    /** Parses {@code body}; any malformation is MalformedXML. The root's name is checked by the caller. */
    public static XmlNode parse(byte[] body) {
        XMLStreamReader r = null;
        try {
            r = FACTORY.createXMLStreamReader(new ByteArrayInputStream(body));
            Deque<Builder> stack = new ArrayDeque<>();
            XmlNode root = null;
            int elements = 0;
            while (r.hasNext()) {
                int event = r.next();
                switch (event) {
                    case XMLStreamConstants.DTD, XMLStreamConstants.ENTITY_REFERENCE -> throw malformed();
                    case XMLStreamConstants.START_ELEMENT -> {
                        if (root != null || stack.size() >= MAX_DEPTH || ++elements > MAX_ELEMENTS) {
                            throw malformed();
                        }
                        stack.push(new Builder(r.getLocalName()));
                    }
                    case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> {
                        if (!stack.isEmpty()) {
                            stack.peek().text.append(r.getText());
                        } else if (!r.isWhiteSpace()) {
                            throw malformed();
                        }
                    }
                    case XMLStreamConstants.END_ELEMENT -> {
                        XmlNode node = stack.pop().build();
                        if (stack.isEmpty()) {
                            root = node;
                        } else {
                            stack.peek().children.add(node);
                        }
                    }
                    default -> { }
                }
            }
            if (root == null) {
                throw malformed();
            }
            return root;
        } catch (XMLStreamException | RuntimeException e) {
            if (e instanceof StoreException se) {
                throw se;
            }
            throw malformed();
        } finally {
            if (r != null) {
                try {
                    r.close();
                } catch (XMLStreamException ignored) {
                    // nothing held
                }
            }
        }
    }

    public static StoreException malformed() {
        return StoreException.of(FailureKind.MALFORMED_XML,
                "The XML you provided was not well-formed or did not validate against our published schema");
    }

    private static final class Builder {
        final String name;
        final StringBuilder text = new StringBuilder();
        final List<XmlNode> children = new ArrayList<>();

        Builder(String name) {
            this.name = name;
        }

        XmlNode build() {
            return new XmlNode(name, text.toString(), children);
        }
    }
}

package dev.arca.s3.xml;

import java.util.List;
import java.util.Optional;

/** A parsed XML element: local name, concatenated text content, child elements. */
public record XmlNode(String name, String text, List<XmlNode> children) {
    public XmlNode {
        children = List.copyOf(children);
    }

    public Optional<XmlNode> child(String childName) {
        for (XmlNode c : children) {
            if (c.name.equals(childName)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    public List<XmlNode> all(String childName) {
        return children.stream().filter(c -> c.name.equals(childName)).toList();
    }

    /** Trimmed text of the named child, or null if there is none. */
    public String childText(String childName) {
        return child(childName).map(c -> c.text.trim()).orElse(null);
    }
}

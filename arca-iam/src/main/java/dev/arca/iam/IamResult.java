package dev.arca.iam;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * What an IAM or STS action returns, as the ordered element tree the query protocol renders
 * inside {@code <ActionResult>}: element names, order and text exactly as AWS writes them (dates
 * ISO-8601, policy documents URL-encoded), so the HTTP layer renders it without knowing actions.
 *
 * @param action the action name, e.g. "CreateUser"
 * @param fields the children of the result element; null when the response has no result
 *               element at all (DeleteUser and other actions that return nothing)
 */
public record IamResult(String action, List<Field> fields) {
    /** One element of a result. */
    public sealed interface Field permits Text, Node {
        String name();
    }

    /** {@code <name>text</name>} */
    public record Text(String name, String text) implements Field {
        public Text {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(text, "text");
        }
    }

    /** {@code <name>children…</name>}; lists are a Node of {@code member} Nodes, as AWS writes them. */
    public record Node(String name, List<Field> children) implements Field {
        public Node {
            Objects.requireNonNull(name, "name");
            children = List.copyOf(children);
        }
    }

    public IamResult {
        Objects.requireNonNull(action, "action");
        fields = fields == null ? null : List.copyOf(fields);
    }

    /** A response with no result element. */
    public static IamResult empty(String action) {
        return new IamResult(action, null);
    }

    /** Whether the response has an {@code <ActionResult>} element. */
    public boolean hasResult() {
        return fields != null;
    }

    /** The text of the first field named {@code path[0]}, then within it {@code path[1]}, …; null if absent. */
    public String text(String... path) {
        List<Field> level = fields;
        for (int i = 0; level != null && i < path.length; i++) {
            Field found = null;
            for (Field f : level) {
                if (f.name().equals(path[i])) {
                    found = f;
                    break;
                }
            }
            if (found == null) {
                return null;
            }
            if (i == path.length - 1) {
                return found instanceof Text t ? t.text() : null;
            }
            level = found instanceof Node n ? n.children() : null;
        }
        return null;
    }

    /** Builds a list of fields in order. Not thread-safe. */
    static final class Builder {
        private final List<Field> fields = new ArrayList<>();

        /** Adds {@code <name>text</name>} unless {@code text} is null. */
        Builder text(String name, String text) {
            if (text != null) {
                fields.add(new Text(name, text));
            }
            return this;
        }

        Builder text(String name, long value) {
            return text(name, Long.toString(value));
        }

        Builder bool(String name, boolean value) {
            return text(name, Boolean.toString(value));
        }

        Builder node(String name, Builder children) {
            fields.add(new Node(name, children.fields));
            return this;
        }

        /** {@code <name><member>…</member>…</name>} */
        <T> Builder members(String name, List<T> items, Function<T, Builder> member) {
            List<Field> members = new ArrayList<>(items.size());
            for (T item : items) {
                members.add(new Node("member", member.apply(item).fields));
            }
            fields.add(new Node(name, members));
            return this;
        }

        /** {@code <name><member>text</member>…</name>} */
        Builder textMembers(String name, List<String> items) {
            List<Field> members = new ArrayList<>(items.size());
            for (String item : items) {
                members.add(new Text("member", item));
            }
            fields.add(new Node(name, members));
            return this;
        }

        List<Field> build() {
            return List.copyOf(fields);
        }
    }
}

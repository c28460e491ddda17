package dev.arca.client.feed;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Pulls fields out of the feed's flat JSON lines. */
final class FeedTestSupport {

    private FeedTestSupport() {
    }

    /** The raw text of a field's value: a number, true/false/null, or a string without its quotes. */
    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\":(\"([^\"]*)\"|[^,}]+)").matcher(json);
        if (!m.find()) {
            throw new AssertionError("no field " + name + " in " + json);
        }
        return m.group(2) != null ? m.group(2) : m.group(1);
    }

    static double number(String json, String name) {
        return Double.parseDouble(field(json, name));
    }
}

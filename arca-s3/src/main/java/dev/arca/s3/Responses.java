package dev.arca.s3;

import dev.arca.s3.http.Headers;
import dev.arca.s3.http.HttpResponse;
import dev.arca.s3.xml.XmlWriter;

/** Small builders for common response shapes. */
final class Responses {
    static final String XML = "application/xml";

    private Responses() {}

    static HttpResponse xml(int status, XmlWriter xml) {
        return xml(status, new Headers(), xml);
    }

    static HttpResponse xml(int status, Headers headers, XmlWriter xml) {
        headers.set("content-type", XML);
        return new HttpResponse(status, headers, new HttpResponse.Bytes(xml.toBytes()));
    }

    static HttpResponse empty(int status) {
        return empty(status, new Headers());
    }

    static HttpResponse empty(int status, Headers headers) {
        return new HttpResponse(status, headers, new HttpResponse.Empty());
    }

    static String quote(String etag) {
        return "\"" + etag + "\"";
    }
}

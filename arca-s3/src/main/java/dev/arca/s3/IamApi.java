package dev.arca.s3;

import dev.arca.core.StoreException;
import dev.arca.iam.Iam;
import dev.arca.iam.IamResult;
import dev.arca.iam.IamService;
import dev.arca.iam.Principal;
import dev.arca.iam.policy.ConditionKeys;
import dev.arca.s3.http.Headers;
import dev.arca.s3.http.HttpResponse;
import dev.arca.s3.xml.XmlWriter;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The IAM and STS query protocol over HTTP: a POST whose body is
 * {@code application/x-www-form-urlencoded} parameters (Action, Version and the action's own),
 * answered with the XML AWS writes ({@code <ActionResponse xmlns=…><ActionResult>…</ActionResult>
 * <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata></ActionResponse>}), or an
 * {@code <ErrorResponse>} whose status and code come from {@link S3Errors}. The caller has already
 * authenticated the request (SigV4, service "iam" or "sts"); this runs the action through
 * {@link IamService}, which authorizes it.
 */
final class IamApi {
    private static final System.Logger LOG = System.getLogger("arca.s3");
    static final String IAM_NAMESPACE = "https://iam.amazonaws.com/doc/2010-05-08/";
    static final String STS_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";
    /** IAM answers in text/xml. */
    static final String CONTENT_TYPE = "text/xml";
    /** Largest form body: ample for a 10,240-character policy document percent-encoded three times over. */
    static final int MAX_FORM_BYTES = 256 * 1024;
    /** Most parameters in one request; IAM actions take a handful. */
    static final int MAX_PARAMETERS = 200;

    private final Iam iam;
    private final IamService service;

    IamApi(Iam iam, IamService service) {
        this.iam = Objects.requireNonNull(iam, "iam");
        this.service = Objects.requireNonNull(service, "service");
    }

    /** The IAM this API serves. */
    Iam iam() {
        return iam;
    }

    /** A protocol-level error with no {@link dev.arca.core.FailureKind}: IAM's own codes. */
    static final class QueryError extends RuntimeException {
        final int status;
        final String code;

        QueryError(int status, String code, String message) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
        }
    }

    /**
     * Runs one IAM or STS request.
     *
     * @param service   "iam" or "sts" (the SigV4 credential scope's service)
     * @param caller    the authenticated principal (anonymous is refused by the service)
     * @param formBody  the request body
     * @param requestId the id to put in the response
     * @param keys      the request's condition keys (aws:SourceIp, aws:SecureTransport, …)
     */
    HttpResponse handle(String service, Principal caller, byte[] formBody, String requestId, ConditionKeys keys) {
        String namespace = IamService.STS.equals(service) ? STS_NAMESPACE : IAM_NAMESPACE;
        try {
            Map<String, String> params = parseForm(formBody);
            String action = params.get("Action");
            if (action == null || action.isEmpty()) {
                throw new QueryError(400, "MissingAction", "Missing Action");
            }
            String version = params.get("Version");
            if (version == null || version.isEmpty()) {
                throw new QueryError(400, "MissingParameter", "The request must contain the parameter Version");
            }
            String expectedVersion = IamService.STS.equals(service) ? IamService.STS_VERSION : IamService.IAM_VERSION;
            if (!this.service.supports(service, action) || !expectedVersion.equals(version)) {
                throw new QueryError(400, "InvalidAction", "Could not find operation " + action + " for version " + version);
            }
            return render(this.service.handle(service, action, params, caller, keys), namespace, requestId);
        } catch (QueryError e) {
            return error(e.status, e.code, e.getMessage(), namespace, requestId);
        } catch (StoreException e) {
            S3Errors.S3Error s3 = S3Errors.of(e.kind());
            return error(s3.status(), s3.code(), e.failure().message(), namespace, requestId);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "request " + requestId + " " + service + " failed", e);
            return error(500, "InternalError", "We encountered an internal error. Please try again.", namespace, requestId);
        }
    }

    /**
     * Decodes an {@code application/x-www-form-urlencoded} body: '&'-separated name=value pairs,
     * '+' as space, %XX as a byte, the bytes as UTF-8 (strictly). A name may appear once.
     *
     * @throws QueryError MalformedQueryString for bad escapes, bad UTF-8, repeated names, or too many
     *                    parameters; a body over {@link #MAX_FORM_BYTES} is refused before decoding
     */
    static Map<String, String> parseForm(byte[] body) {
        if (body.length > MAX_FORM_BYTES) {
            throw new QueryError(400, "ValidationError", "Request body is larger than " + MAX_FORM_BYTES + " bytes");
        }
        Map<String, String> params = new LinkedHashMap<>();
        int start = 0;
        while (start <= body.length) {
            int end = start;
            while (end < body.length && body[end] != '&') {
                end++;
            }
            if (end > start) {
                int eq = start;
                while (eq < end && body[eq] != '=') {
                    eq++;
                }
                String name = decode(body, start, eq);
                String value = eq < end ? decode(body, eq + 1, end) : "";
                if (params.size() == MAX_PARAMETERS) {
                    throw new QueryError(400, "MalformedQueryString", "More than " + MAX_PARAMETERS + " parameters");
                }
                if (params.putIfAbsent(name, value) != null) {
                    throw new QueryError(400, "MalformedQueryString", "Parameter " + name + " appears more than once");
                }
            }
            start = end + 1;
        }
        return params;
    }

    private static String decode(byte[] b, int from, int to) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
        for (int i = from; i < to; i++) {
            byte c = b[i];
            if (c == '+') {
                out.write(' ');
            } else if (c == '%') {
                int hi = i + 2 < to ? Character.digit(b[i + 1], 16) : -1;
                int lo = hi < 0 ? -1 : Character.digit(b[i + 2], 16);
                if (lo < 0) {
                    throw new QueryError(400, "MalformedQueryString", "Invalid percent-encoding in the request body");
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else {
                out.write(c);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(out.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new QueryError(400, "MalformedQueryString", "The request body is not valid UTF-8");
        }
    }

    /** The success document: the result tree inside {@code <ActionResult>}, then the request id. */
    static HttpResponse render(IamResult result, String namespace, String requestId) {
        XmlWriter xml = new XmlWriter();
        xml.startWithAttributes(result.action() + "Response", "xmlns=\"" + namespace + "\"");
        if (result.hasResult()) {
            xml.start(result.action() + "Result");
            for (IamResult.Field f : result.fields()) {
                write(xml, f);
            }
            xml.end();
        }
        xml.start("ResponseMetadata").element("RequestId", requestId).end();
        xml.end();
        return respond(200, xml, requestId);
    }

    private static void write(XmlWriter xml, IamResult.Field field) {
        switch (field) {
            case IamResult.Text t -> xml.element(t.name(), t.text());
            case IamResult.Node n -> {
                xml.start(n.name());
                for (IamResult.Field child : n.children()) {
                    write(xml, child);
                }
                xml.end();
            }
        }
    }

    /** The query protocol's error document (a Sender fault for 4xx, Receiver for 5xx). */
    static HttpResponse error(int status, String code, String message, String namespace, String requestId) {
        XmlWriter xml = new XmlWriter();
        xml.startWithAttributes("ErrorResponse", "xmlns=\"" + namespace + "\"")
                .start("Error")
                .element("Type", status >= 500 ? "Receiver" : "Sender")
                .element("Code", code)
                .element("Message", message)
                .end()
                .element("RequestId", requestId)
                .end();
        return respond(status, xml, requestId);
    }

    private static HttpResponse respond(int status, XmlWriter xml, String requestId) {
        Headers headers = new Headers().set("content-type", CONTENT_TYPE).set("x-amzn-requestid", requestId);
        return new HttpResponse(status, headers, new HttpResponse.Bytes(xml.toBytes()));
    }
}

package dev.arca.s3;

import dev.arca.core.Failure;
import dev.arca.core.FailureKind;
import dev.arca.core.Ids;
import dev.arca.core.StoreException;
import dev.arca.meta.BucketRecord;
import dev.arca.object.ObjectLayer;
import dev.arca.object.ObjectStore;
import dev.arca.object.Owner;
import dev.arca.s3.auth.AuthenticatedRequest;
import dev.arca.s3.auth.Credential;
import dev.arca.s3.auth.SigV4Authenticator;
import dev.arca.s3.http.Headers;
import dev.arca.s3.http.HttpExchange;
import dev.arca.s3.http.HttpHandler;
import dev.arca.s3.http.HttpResponse;
import dev.arca.s3.xml.XmlWriter;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * The S3 endpoint. One request's life, in order: health probes; authenticate (SigV4); route to
 * an operation; authorize (bucket ownership); execute against the object layer; respond. Every
 * failure on the way becomes an S3 error response here, through {@link S3Errors}.
 */
public final class S3Handler implements HttpHandler {
    private static final System.Logger LOG = System.getLogger("arca.s3");

    private final SigV4Authenticator authenticator;
    private final Router router;
    private final ObjectLayer layer;
    private final Ids ids;
    private final InstantSource clock;
    private final BooleanSupplier ready;
    private final String hostId;
    private final BucketApi bucketApi;
    private final ObjectApi objectApi;
    private final BatchGetApi batchGetApi;
    private final MultipartApi multipartApi;
    private final RequestObserver observer;
    private final RequestGuard guard;
    private final MetricsEndpoint metrics;
    private final EncryptionApi encryptionApi;
    private final LifecycleApi lifecycleApi;
    private final AdminApi adminApi;
    private final BucketPolicyApi bucketPolicyApi;
    private final IamApi iamApi;
    private final S3Authorizer authorizer;
    private final String adminOwnerId;

    /**
     * @param domains names under which {@code <bucket>.<domain>} addresses a bucket (virtual-hosted style)
     * @param ready   whether {@code /health/ready} answers 200
     * @param store   the erasure-coded blob store under {@code layer}, for the admin API
     * @param adminOwnerId the owner id allowed to use the admin API (the system account's root)
     * @param iam     identities, policies and the IAM/STS services; authorizes every request
     */
    public S3Handler(ObjectLayer layer, SigV4Authenticator authenticator, List<String> domains, Ids ids,
            InstantSource clock, BooleanSupplier ready, dev.arca.storage.ErasureBlobStore store, String adminOwnerId,
            dev.arca.iam.Iam iam) {
        this(layer, authenticator, domains, ids, clock, ready, store, adminOwnerId, iam, false);
    }

    /** @param allowSseCOverHttp whether SSE-C keys are accepted over plain HTTP (AWS refuses them; for tests and trusted networks) */
    public S3Handler(ObjectLayer layer, SigV4Authenticator authenticator, List<String> domains, Ids ids,
            InstantSource clock, BooleanSupplier ready, dev.arca.storage.ErasureBlobStore store, String adminOwnerId,
            dev.arca.iam.Iam iam, boolean allowSseCOverHttp) {
        this(layer, authenticator, domains, ids, clock, ready, store, adminOwnerId, iam, allowSseCOverHttp,
                RequestObserver.NONE, RequestGuard.NONE, List.of());
    }

    /**
     * @param observer sees every request once answered (audit log, metrics, detectors)
     * @param guard    admits or refuses each authenticated request before it runs (containment)
     * @param adminExtensions further admin API resources (restore, quarantine, ...)
     */
    public S3Handler(ObjectLayer layer, SigV4Authenticator authenticator, List<String> domains, Ids ids,
            InstantSource clock, BooleanSupplier ready, dev.arca.storage.ErasureBlobStore store, String adminOwnerId,
            dev.arca.iam.Iam iam, boolean allowSseCOverHttp, RequestObserver observer, RequestGuard guard,
            List<AdminExtension> adminExtensions) {
        this(layer, authenticator, domains, ids, clock, ready, store, adminOwnerId, iam, allowSseCOverHttp, observer, guard,
                adminExtensions, MetricsEndpoint.NONE);
    }

    /** @param metrics what unauthenticated {@code GET /metrics} answers, or {@link MetricsEndpoint#NONE} */
    public S3Handler(ObjectLayer layer, SigV4Authenticator authenticator, List<String> domains, Ids ids,
            InstantSource clock, BooleanSupplier ready, dev.arca.storage.ErasureBlobStore store, String adminOwnerId,
            dev.arca.iam.Iam iam, boolean allowSseCOverHttp, RequestObserver observer, RequestGuard guard,
            List<AdminExtension> adminExtensions, MetricsEndpoint metrics) {
        this(layer, authenticator, domains, ids, clock, ready, store, adminOwnerId, iam, allowSseCOverHttp, observer, guard,
                adminExtensions, metrics, ZeroCopyReads.NONE);
    }

    /** @param zeroCopy where GetObject may send bytes straight from the files that store them ({@link ZeroCopyReads#NONE}: never) */
    public S3Handler(ObjectLayer layer, SigV4Authenticator authenticator, List<String> domains, Ids ids,
            InstantSource clock, BooleanSupplier ready, dev.arca.storage.ErasureBlobStore store, String adminOwnerId,
            dev.arca.iam.Iam iam, boolean allowSseCOverHttp, RequestObserver observer, RequestGuard guard,
            List<AdminExtension> adminExtensions, MetricsEndpoint metrics, ZeroCopyReads zeroCopy) {
        this.metrics = metrics;
        this.observer = observer;
        this.guard = guard;
        this.layer = layer;
        this.authenticator = authenticator;
        this.router = new Router(domains);
        this.ids = ids;
        this.clock = clock;
        this.ready = ready;
        this.hostId = java.util.Base64.getEncoder().encodeToString(ids.random(24));
        S3Authorizer.Identities identities = new S3Authorizer.Identities() {
            @Override
            public List<dev.arca.iam.policy.Policy> identityPolicies(dev.arca.iam.Principal principal) {
                return iam.identityPolicies(principal);
            }

            @Override
            public Optional<String> accountIdOf(String canonicalId) {
                return iam.accountByCanonicalId(canonicalId).map(dev.arca.iam.Account::id);
            }
        };
        this.authorizer = new S3Authorizer(identities, layer.buckets(), layer.objects(), iam.listener(), clock);
        this.bucketApi = new BucketApi(layer.buckets(), layer.objects());
        this.objectApi = new ObjectApi(layer.objects(), layer.buckets(), new Permissions(authorizer), allowSseCOverHttp,
                zeroCopy);
        this.batchGetApi = new BatchGetApi(layer.objects(), layer.buckets(), authorizer, clock);
        this.multipartApi = new MultipartApi(layer.multipart(), layer.buckets(), allowSseCOverHttp);
        this.lifecycleApi = new LifecycleApi(layer.buckets());
        this.encryptionApi = new EncryptionApi(layer.buckets(), layer.objects().crypto());
        this.bucketPolicyApi = new BucketPolicyApi(layer.buckets(), authorizer, iam::missingPrincipal);
        this.iamApi = new IamApi(iam, new dev.arca.iam.IamService(iam));
        this.adminApi = new AdminApi(store, layer, ids, iam, adminExtensions);
        this.adminOwnerId = adminOwnerId;
    }

    @Override
    public HttpResponse handle(HttpExchange exchange) {
        String requestId = ids.requestId();
        RequestContext context = new RequestContext(requestId, System.nanoTime(), clock.millis(),
                exchange.remoteAddress().getAddress().getHostAddress(), exchange.secure());
        HttpResponse response;
        String errorCode = null;
        try {
            Optional<HttpResponse> probe = health(exchange);
            if (probe.isPresent()) {
                context.target("health", null, null);
            } else if ((probe = metrics(exchange)).isPresent()) {
                context.target("metrics", null, null);
            }
            response = probe.orElseGet(() -> serve(exchange, requestId, context));
        } catch (StoreException e) {
            errorCode = S3Errors.of(e.failure()).code();
            response = error(e.failure(), exchange, requestId);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "request " + requestId + " " + exchange.method() + " " + exchange.rawPath() + " failed", e);
            Failure internal = Failure.of(FailureKind.INTERNAL_ERROR, "We encountered an internal error. Please try again.");
            errorCode = S3Errors.of(internal).code();
            response = error(internal, exchange, requestId);
        }
        observe(context, response, errorCode, exchange);
        Headers h = response.headers();
        h.set("x-amz-request-id", requestId);
        h.set("x-amz-id-2", hostId);
        h.set("date", HttpDates.http(clock.millis()));
        h.set("server", "Arca");
        return response;
    }

    /**
     * Unauthenticated path-style GET/HEAD /metrics when a {@link MetricsEndpoint} is set; signed requests
     * (and virtual-hosted ones) there are S3 requests.
     */
    private Optional<HttpResponse> metrics(HttpExchange exchange) {
        if (!metrics.enabled() || !exchange.rawPath().equals("/metrics") || router.isVirtualHosted(exchange)
                || exchange.headers().contains("authorization") || exchange.rawQuery().contains("X-Amz-Signature")
                || !(exchange.method().equals("GET") || exchange.method().equals("HEAD"))) {
            return Optional.empty();
        }
        byte[] body = metrics.scrape().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Headers h = new Headers().set("content-type", metrics.contentType()).set("cache-control", "no-store");
        return Optional.of(new HttpResponse(200, h,
                exchange.method().equals("HEAD") ? new HttpResponse.Empty() : new HttpResponse.Bytes(body)));
    }

    /** Unauthenticated GET/HEAD /health/live and /health/ready; authenticated requests there are S3 requests. */
    private Optional<HttpResponse> health(HttpExchange exchange) {
        String path = exchange.rawPath();
        if (!path.equals("/health/ready") && !path.equals("/health/live")) {
            return Optional.empty();
        }
        boolean signed = exchange.headers().contains("authorization") || exchange.rawQuery().contains("X-Amz-Signature");
        if (signed || !(exchange.method().equals("GET") || exchange.method().equals("HEAD"))) {
            return Optional.empty();
        }
        boolean ok = path.equals("/health/live") || ready.getAsBoolean();
        Headers h = new Headers().set("content-type", "text/plain; charset=utf-8");
        byte[] body = (ok ? "ok\n" : "not ready\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return Optional.of(new HttpResponse(ok ? 200 : 503, h,
                exchange.method().equals("HEAD") ? new HttpResponse.Empty() : new HttpResponse.Bytes(body)));
    }

    /** Hands the request's event to the observer; an observer failure never changes the response. */
    private void observe(RequestContext context, HttpResponse response, String errorCode, HttpExchange exchange) {
        try {
            // Payload bytes: aws-chunked bodies declare them apart from their framing.
            String decoded = exchange.headers().get("x-amz-decoded-content-length");
            long in = Math.max(0, exchange.contentLength());
            if (decoded != null) {
                try {
                    in = Long.parseLong(decoded.trim());
                } catch (NumberFormatException e) {
                    // Refused by the authenticator already; keep the transport's figure.
                }
            }
            long out = switch (response.body()) {
                case HttpResponse.Bytes b -> b.data().length;
                case HttpResponse.Streamed s -> Math.max(0, s.length()); // unknown (chunked) counts as 0
                case HttpResponse.FromFiles f -> f.length();
                default -> 0;
            };
            observer.observe(context.event(response.status(), errorCode, in, out, System.nanoTime()));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "request observer failed for " + context.requestId(), e);
        }
    }

    private HttpResponse serve(HttpExchange exchange, String requestId, RequestContext context) {
        AuthenticatedRequest auth = authenticator.authenticate(exchange);
        Optional<Credential> credential = auth.credential();
        dev.arca.iam.Principal principal = credential.map(Credential::principal).orElse(dev.arca.iam.Principal.ANONYMOUS);
        context.caller(principal, credential.map(Credential::accessKeyId).orElse(null));
        if (!auth.service().equals("s3")) {
            context.target(auth.service(), null, null);
            guard.admit(context);
            return queryApi(exchange, auth, principal, requestId, context);
        }
        if (AdminApi.isAdminPath(exchange.rawPath()) && !router.isVirtualHosted(exchange)) {
            context.target("admin:" + exchange.rawPath().substring(AdminApi.PREFIX.length()), null, null);
            if (credential.isEmpty() || !credential.get().ownerId().equals(adminOwnerId)
                    || principal.kind() != dev.arca.iam.Principal.Kind.ACCOUNT_ROOT) {
                throw StoreException.of(FailureKind.ACCESS_DENIED, "Access Denied");
            }
            guard.admit(context);
            return adminApi.handle(exchange);
        }
        Owner owner = credential.map(c -> new Owner(c.ownerId(), c.displayName())).orElse(ANONYMOUS_OWNER);
        Router.Route route = router.route(exchange);
        context.target(route.operation().awsName(), route.bucket() == null ? null : route.bucket().value(),
                route.key() == null ? null : route.key().value());
        guard.admit(context);
        S3Request request = new S3Request(exchange, auth, requestId, owner, route.operation(), route.bucket(), route.key(),
                route.query(), context);
        authorizer.authorize(request);
        return execute(request);
    }

    /** The Action parameter of a query-API form body, or "unknown". */
    private static String formAction(byte[] body) {
        for (String pair : new String(body, java.nio.charset.StandardCharsets.UTF_8).split("&")) {
            if (pair.startsWith("Action=")) {
                String action = java.net.URLDecoder.decode(pair.substring("Action=".length()), java.nio.charset.StandardCharsets.UTF_8);
                return action.length() <= MAX_ACTION_CHARS && action.chars().allMatch(Character::isLetterOrDigit) ? action : "invalid";
            }
        }
        return "unknown";
    }

    /** Longest IAM/STS action name recorded for a request (the longest real one is under 40). */
    private static final int MAX_ACTION_CHARS = 64;

    /** Objects written by anonymous callers a bucket policy lets in are shown with this owner. */
    static final Owner ANONYMOUS_OWNER = new Owner("anonymous", "anonymous");

    /** IAM and STS (AWS query protocol): POST / with a form body, signed for service iam or sts. */
    private HttpResponse queryApi(HttpExchange exchange, AuthenticatedRequest auth, dev.arca.iam.Principal principal,
            String requestId, RequestContext context) {
        if (!exchange.method().equals("POST") || !exchange.rawPath().equals("/")) {
            throw StoreException.of(FailureKind.METHOD_NOT_ALLOWED, "The " + auth.service()
                    + " API takes POST / with a form body.");
        }
        byte[] body = Bodies.readBounded(auth.body(), dev.arca.s3.auth.SigV4Authenticator.MAX_QUERY_API_BODY_BYTES);
        context.target(auth.service() + ":" + formAction(body), null, null);
        String sourceIp = exchange.remoteAddress().getAddress().getHostAddress();
        dev.arca.iam.policy.ConditionKeys keys = key -> switch (key.toLowerCase(java.util.Locale.ROOT)) {
            case "aws:sourceip" -> List.of(sourceIp);
            case "aws:securetransport" -> List.of(Boolean.toString(exchange.secure()));
            case "aws:currenttime" -> List.of(java.time.Instant.ofEpochMilli(clock.millis()).toString());
            default -> List.of();
        };
        return iamApi.handle(auth.service(), principal, body, requestId, keys);
    }

    private HttpResponse execute(S3Request r) {
        return switch (r.operation()) {
            case LIST_BUCKETS -> bucketApi.listBuckets(r);
            case CREATE_BUCKET -> bucketApi.create(r);
            case DELETE_BUCKET -> {
                HttpResponse deleted = bucketApi.delete(r);
                // Its policy went with it; a bucket of the same name later may belong to anyone.
                authorizer.invalidate(r.bucket().value());
                yield deleted;
            }
            case HEAD_BUCKET -> bucketApi.head(r);
            case GET_BUCKET_LOCATION -> bucketApi.location(r);
            case GET_BUCKET_VERSIONING -> bucketApi.versioning(r);
            case PUT_BUCKET_VERSIONING -> bucketApi.putVersioning(r);
            case GET_OBJECT_LOCK_CONFIGURATION -> bucketApi.getObjectLock(r);
            case PUT_OBJECT_LOCK_CONFIGURATION -> bucketApi.putObjectLock(r);
            case GET_BUCKET_ENCRYPTION -> encryptionApi.get(r);
            case PUT_BUCKET_ENCRYPTION -> encryptionApi.put(r);
            case DELETE_BUCKET_ENCRYPTION -> encryptionApi.delete(r);
            case GET_BUCKET_LIFECYCLE -> lifecycleApi.get(r);
            case PUT_BUCKET_LIFECYCLE -> lifecycleApi.put(r);
            case DELETE_BUCKET_LIFECYCLE -> lifecycleApi.delete(r);
            case GET_BUCKET_ACL -> bucketApi.getAcl(r);
            case PUT_BUCKET_ACL -> bucketApi.putAcl(r);
            case LIST_OBJECTS -> bucketApi.list(r, false);
            case LIST_OBJECTS_V2 -> bucketApi.list(r, true);
            case LIST_OBJECT_VERSIONS -> bucketApi.listVersions(r);
            case LIST_MULTIPART_UPLOADS -> multipartApi.listUploads(r);
            case DELETE_OBJECTS -> objectApi.deleteMany(r);
            case BATCH_GET -> batchGetApi.batchGet(r);
            case PUT_OBJECT -> objectApi.put(r);
            case COPY_OBJECT -> objectApi.copy(r);
            case GET_OBJECT -> objectApi.get(r, true);
            case HEAD_OBJECT -> objectApi.get(r, false);
            case DELETE_OBJECT -> objectApi.delete(r);
            case GET_OBJECT_TAGGING -> objectApi.getTagging(r);
            case PUT_OBJECT_TAGGING -> objectApi.putTagging(r);
            case DELETE_OBJECT_TAGGING -> objectApi.deleteTagging(r);
            case GET_OBJECT_ACL -> objectApi.getAcl(r);
            case PUT_OBJECT_ACL -> objectApi.putAcl(r);
            case GET_OBJECT_RETENTION -> objectApi.getRetention(r);
            case PUT_OBJECT_RETENTION -> objectApi.putRetention(r);
            case GET_OBJECT_LEGAL_HOLD -> objectApi.getLegalHold(r);
            case PUT_OBJECT_LEGAL_HOLD -> objectApi.putLegalHold(r);
            case CREATE_MULTIPART_UPLOAD -> multipartApi.create(r);
            case UPLOAD_PART -> multipartApi.uploadPart(r);
            case UPLOAD_PART_COPY -> multipartApi.uploadPartCopy(r);
            case COMPLETE_MULTIPART_UPLOAD -> multipartApi.complete(r);
            case ABORT_MULTIPART_UPLOAD -> multipartApi.abort(r);
            case LIST_PARTS -> multipartApi.listParts(r);
            case GET_BUCKET_POLICY -> bucketPolicyApi.get(r);
            case PUT_BUCKET_POLICY -> bucketPolicyApi.put(r);
            case DELETE_BUCKET_POLICY -> bucketPolicyApi.delete(r);
            case GET_BUCKET_POLICY_STATUS -> bucketPolicyApi.status(r);
            case GET_PUBLIC_ACCESS_BLOCK -> bucketPolicyApi.getPublicAccessBlock(r);
            case PUT_PUBLIC_ACCESS_BLOCK -> bucketPolicyApi.putPublicAccessBlock(r);
            case DELETE_PUBLIC_ACCESS_BLOCK -> bucketPolicyApi.deletePublicAccessBlock(r);
        };
    }

    /** What the transport answers when too many requests are in flight: 503 SlowDown. */
    public HttpResponse overloaded() {
        String requestId = ids.requestId();
        XmlWriter xml = new XmlWriter().plainRoot("Error").element("Code", "SlowDown")
                .element("Message", "Please reduce your request rate.")
                .element("RequestId", requestId).element("HostId", hostId).end();
        HttpResponse r = Responses.xml(503, xml);
        r.headers().set("x-amz-request-id", requestId);
        r.headers().set("retry-after", "1");
        return r;
    }

    /**
     * A failure on a delete marker (NoSuchKey when the current version is one, MethodNotAllowed
     * when a request names one) carries x-amz-delete-marker, x-amz-version-id and, for the
     * marker itself, Last-Modified, as S3 sends them; returns whether it was such a failure.
     */
    static boolean deleteMarkerHeaders(Failure failure, Headers h) {
        Map<String, String> details = failure.details();
        if (!"true".equals(details.get(ObjectStore.DELETE_MARKER))) {
            return false;
        }
        h.set("x-amz-delete-marker", "true");
        String versionId = details.get(ObjectStore.VERSION_ID);
        if (versionId != null) {
            h.set(ObjectApi.VERSION_ID_HEADER, versionId);
        }
        String modified = details.get("LastModified");
        if (modified != null && failure.kind() == FailureKind.METHOD_NOT_ALLOWED) {
            h.set("last-modified", HttpDates.http(Long.parseLong(modified)));
        }
        return true;
    }

    /** The S3 error response for a failure: XML body (none for HEAD and 304), AWS status and code. */
    private HttpResponse error(Failure failure, HttpExchange exchange, String requestId) {
        S3Errors.S3Error e = S3Errors.of(failure);
        Headers h = new Headers();
        if (failure.kind() == FailureKind.NOT_MODIFIED || failure.kind() == FailureKind.PRECONDITION_FAILED) {
            String etag = failure.details().get("ETag");
            if (etag != null) {
                h.set("etag", Responses.quote(etag));
            }
            String modified = failure.details().get("LastModified");
            if (modified != null) {
                h.set("last-modified", HttpDates.http(Long.parseLong(modified)));
            }
        }
        if (failure.kind() == FailureKind.INVALID_RANGE && failure.details().containsKey("ActualObjectSize")) {
            h.set("content-range", "bytes */" + failure.details().get("ActualObjectSize"));
        }
        boolean deleteMarker = deleteMarkerHeaders(failure, h);
        if (failure.kind() == FailureKind.NOT_MODIFIED || exchange.method().equals("HEAD")) {
            return Responses.empty(e.status(), h);
        }
        XmlWriter xml = new XmlWriter().plainRoot("Error")
                .element("Code", e.code())
                .element("Message", failure.message());
        String resource = failure.resource().isEmpty() ? exchange.rawPath() : failure.resource();
        xml.element("Resource", resource);
        if (deleteMarker && failure.kind() == FailureKind.METHOD_NOT_ALLOWED) {
            xml.element("Method", exchange.method()).element("ResourceType", "DeleteMarker");
        }
        for (Map.Entry<String, String> d : failure.details().entrySet()) {
            String name = d.getKey();
            // these details travel as headers; VersionId stays an element where it names a missing version
            boolean header = name.equals("LastModified") || name.equals("ETag") || name.equals(ObjectStore.DELETE_MARKER)
                    || deleteMarker && name.equals(ObjectStore.VERSION_ID);
            if (!header) {
                xml.element(name, d.getValue());
            }
        }
        xml.element("RequestId", requestId).element("HostId", hostId).end();
        return Responses.xml(e.status(), h, xml);
    }
}

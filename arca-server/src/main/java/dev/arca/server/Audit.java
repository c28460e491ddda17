package dev.arca.server;

import dev.arca.audit.AuditLog;
import dev.arca.audit.AuditOptions;
import dev.arca.audit.AuditRecord;
import dev.arca.core.Entropy;
import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import dev.arca.s3.RequestContext;
import dev.arca.s3.RequestEvent;
import dev.arca.s3.RequestGuard;
import dev.arca.s3.RequestObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The audit trail of the running server: every request, allowed or denied, and every admin action
 * becomes a record in the hash-chained log under {@code <data>/audit} ({@code arca audit verify} checks
 * it). If the log cannot be written, the server stops serving (503) rather than act unaudited.
 */
final class Audit implements RequestObserver, RequestGuard, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Audit.class.getName());
    /** The audit log's directory under the data directory. */
    static final String DIR = "audit";

    private final AuditLog log;
    private final AtomicBoolean broken = new AtomicBoolean();

    private Audit(AuditLog log) {
        this.log = log;
    }

    static Audit open(ServerConfig config, Path data, Entropy entropy, InstantSource clock) {
        AuditOptions options = AuditOptions.defaults();
        if (config.auditExportFile().isPresent()) {
            options = options.withExportFile(config.auditExportFile().get());
        }
        if (config.auditWebhook().isPresent()) {
            options = options.withWebhook(config.auditWebhook().get(), AuditOptions.DEFAULT_WEBHOOK_QUEUE);
        }
        try {
            return new Audit(AuditLog.open(data.resolve(DIR), options, entropy, clock));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the audit log in " + data.resolve(DIR) + ": " + e.getMessage(), e);
        }
    }

    /** The checkpoint signing key (base64 X.509): keep a copy away from the data for {@code audit verify --public-key}. */
    String publicKey() {
        return log.publicKeyBase64();
    }

    @Override
    public void observe(RequestEvent e) {
        String kind = e.operation().startsWith("admin:") ? AuditRecord.KIND_ADMIN : AuditRecord.KIND_REQUEST;
        append(new AuditRecord(e.timeMillis(), e.requestId(), kind, e.principal(), e.accountId(), e.sourceIp(),
                e.operation(), e.bucket(), e.key(), e.versionId(), e.status(), e.errorCode(), e.bytesIn(), e.bytesOut(),
                e.tls(), details(e)));
    }

    private static Map<String, String> details(RequestEvent e) {
        if (e.accessKeyId() == null) {
            return e.details();
        }
        Map<String, String> d = new java.util.LinkedHashMap<>(e.details());
        d.put("accessKeyId", e.accessKeyId());
        return d;
    }

    /** Appends a record of something the server did on its own (a detection, a response to one). */
    void append(AuditRecord record) {
        try {
            log.append(record);
        } catch (RuntimeException ex) {
            if (broken.compareAndSet(false, true)) {
                LOG.log(System.Logger.Level.ERROR, "the audit log cannot be written: refusing requests until restart", ex);
            }
            throw ex;
        }
    }

    @Override
    public void admit(RequestContext context) {
        if (broken.get()) {
            throw StoreException.of(FailureKind.SERVICE_UNAVAILABLE,
                    "The audit log cannot be written; the server refuses requests it cannot audit.");
        }
    }

    @Override
    public void close() throws IOException {
        log.close();
    }
}

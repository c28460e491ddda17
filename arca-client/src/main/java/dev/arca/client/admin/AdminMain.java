package dev.arca.client.admin;

import dev.arca.client.http.BodyCollector;
import dev.arca.client.http.HttpConnection;
import dev.arca.client.http.HttpEndpoint;
import dev.arca.client.http.HttpHeader;
import dev.arca.client.http.HttpRequest;
import dev.arca.client.http.HttpResponse;
import dev.arca.client.http.HttpTimeouts;
import dev.arca.client.sign.SigV4Signer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code arca admin}: talks to a server's admin API ({@code /_arca/admin/}) with the root
 * credentials. {@code storage} prints drives, coding and counters; {@code heal} starts a heal job
 * and prints its progress every second until it is done, then the summary. Exit status: 0 ok,
 * 2 usage, 1 request failed, 3 the heal found unrecoverable blobs.
 */
public final class AdminMain {
    static final String DEFAULT_ENDPOINT = "http://127.0.0.1:9000";
    /** Largest admin response accepted. */
    static final int MAX_RESPONSE_BYTES = 1024 * 1024;
    static final Duration POLL_INTERVAL = Duration.ofSeconds(1);
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern NUMBER = Pattern.compile("\"(\\w+)\":(\\d+|true|false)");

    private AdminMain() {}

    public static void main(String[] args) {
        System.exit(run(List.of(args), System.getenv(), System.out, System.err));
    }

    /** The query of a key action: {@code create ID [--description D]}, {@code disable|enable|rotate|finish ID}, {@code rotate-master}. */
    static List<Map.Entry<String, String>> keyAction(List<String> words, Map<String, String> flags) throws UsageException {
        String action = words.getFirst();
        if (action.equals("rotate-master") && words.size() == 1) {
            return List.of(Map.entry("rotate-master", ""));
        }
        if (!List.of("create", "disable", "enable", "rotate", "finish").contains(action) || words.size() != 2) {
            throw new UsageException("keys takes: create ID | disable ID | enable ID | rotate ID | finish ID | rotate-master");
        }
        List<Map.Entry<String, String>> query = new ArrayList<>();
        query.add(Map.entry(action, words.get(1)));
        if (action.equals("create") && flags.containsKey("description")) {
            query.add(Map.entry("description", flags.get("description")));
        }
        return query;
    }

    static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        if (args.isEmpty() || args.getFirst().equals("--help")) {
            usage(err);
            return args.isEmpty() ? 2 : 0;
        }
        String command = args.getFirst();
        if (command.equals("restore")) {
            return RestoreCommand.run(args.subList(1, args.size()), env, out, err);
        }
        if (ContainmentCommand.COMMANDS.contains(command)) {
            return ContainmentCommand.run(command, args.subList(1, args.size()), env, out, err);
        }
        if (!List.of("storage", "heal", "accounts", "create-account", "delete-account", "iam", "keys").contains(command)) {
            err.println("arca admin: unknown command '" + command + "'");
            usage(err);
            return 2;
        }
        Map<String, String> flags = new LinkedHashMap<>();
        int first = 1;
        String iamAction = null;
        List<String> keyArgs = new ArrayList<>();
        if (command.equals("keys")) {
            // keys [create ID | disable ID | enable ID | rotate ID | finish ID | rotate-master]
            while (first < args.size() && !args.get(first).startsWith("--")) {
                keyArgs.add(args.get(first++));
            }
        }
        if (command.equals("iam")) {
            if (args.size() < 2 || args.get(1).startsWith("--")) {
                err.println("arca admin: iam needs an action, e.g. ./arca admin iam CreateUser --UserName alice");
                return 2;
            }
            iamAction = args.get(1);
            first = 2;
        }
        for (int i = first; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--") || i + 1 >= args.size()) {
                err.println("arca admin: bad argument '" + a + "' (flags are --name value)");
                return 2;
            }
            flags.put(a.substring(2), args.get(++i));
        }
        try {
            Admin admin = Admin.connect(flags, env);
            return switch (command) {
                case "storage" -> {
                    out.println(admin.call("GET", "storage", List.of()).text().trim());
                    yield 0;
                }
                case "heal" -> heal(admin, flags, out);
                case "accounts" -> {
                    out.println(admin.call("GET", "accounts", List.of()).text().trim());
                    yield 0;
                }
                case "create-account" -> {
                    // The new account's root secret is in this output once; Arca keeps it only encrypted.
                    out.println(admin.call("POST", "accounts", List.of(Map.entry("name", required(flags, "name")))).text().trim());
                    yield 0;
                }
                case "iam" -> {
                    // IAM parameters are the capitalised flags (--UserName alice); the rest connect.
                    Map<String, String> params = new LinkedHashMap<>();
                    params.put("Action", iamAction);
                    params.put("Version", IAM_VERSION);
                    flags.forEach((k, v) -> {
                        if (Character.isUpperCase(k.charAt(0))) {
                            params.put(k, v);
                        }
                    });
                    out.println(admin.iam(params).text().trim());
                    yield 0;
                }
                case "keys" -> {
                    if (keyArgs.isEmpty()) {
                        out.println(admin.call("GET", "keys", List.of()).text().trim());
                    } else {
                        out.println(admin.call("POST", "keys", keyAction(keyArgs, flags)).text().trim());
                    }
                    yield 0;
                }
                case "delete-account" -> {
                    out.println(admin.call("DELETE", "accounts", List.of(Map.entry("id", required(flags, "id")))).text().trim());
                    yield 0;
                }
                default -> {
                    usage(err);
                    yield 2;
                }
            };
        } catch (UsageException e) {
            err.println("arca admin: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("arca admin: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private static int heal(Admin admin, Map<String, String> flags, PrintStream out) throws IOException, InterruptedException {
        List<Map.Entry<String, String>> query = new ArrayList<>();
        for (String name : List.of("bucket", "prefix", "drive", "deep")) {
            if (flags.containsKey(name)) {
                query.add(Map.entry(name, flags.get(name)));
            }
        }
        String started = admin.call("POST", "heal", query).text();
        Map<String, String> job = fields(started);
        String id = jobId(started);
        out.println("heal job " + id + " started: " + started.trim());
        while (true) {
            Thread.sleep(POLL_INTERVAL);
            String status = admin.call("GET", "heal", List.of(Map.entry("job", id))).text();
            job = fields(status);
            if (Boolean.parseBoolean(job.get("done"))) {
                out.println("done: " + status.trim());
                return Long.parseLong(job.getOrDefault("unrecoverable", "0")) > 0 ? 3 : 0;
            }
            out.printf("scanned %s blobs: %s healthy, %s healed (%s shards rebuilt), %s degraded, %s unrecoverable, %s MiB verified%n",
                    job.get("scanned"), job.get("healthy"), job.get("healed"), job.get("shardsRebuilt"), job.get("degraded"),
                    job.get("unrecoverable"), Long.parseLong(job.getOrDefault("bytesVerified", "0")) >> 20);
        }
    }

    private static String required(Map<String, String> flags, String name) throws UsageException {
        String v = flags.get(name);
        if (v == null) {
            throw new UsageException("--" + name + " is required");
        }
        return v;
    }

    static Map<String, String> fields(String json) {
        Map<String, String> m = new LinkedHashMap<>();
        Matcher x = NUMBER.matcher(json);
        while (x.find()) {
            m.put(x.group(1), x.group(2));
        }
        return m;
    }

    private static String jobId(String json) throws IOException {
        Matcher m = Pattern.compile("\"job\":\"([^\"]+)\"").matcher(json);
        if (!m.find()) {
            throw new IOException("no job id in " + json);
        }
        return m.group(1);
    }

    private static void usage(PrintStream err) {
        err.println("""
                usage: ./arca admin storage [connection flags]
                       ./arca admin heal [--bucket B [--prefix P]] [--drive N] [--deep true|false] [connection flags]
                       ./arca admin restore --bucket B --to TIME [--prefix P] [--dry-run] [--resume JOB] (also ./arca restore)
                       ./arca admin accounts | create-account --name NAME | delete-account --id ACCOUNT_ID [connection flags]
                       ./arca admin iam ACTION [--Param value ...] [connection flags]
                       ./arca admin quarantine|protect|detect ... (also ./arca quarantine ...; ./arca quarantine --help)
                       ./arca admin keys [create ID [--description D] | disable ID | enable ID | rotate ID | finish ID
                                          | rotate-master] [connection flags]   (no action: list the KEKs)
                         (any IAM or STS query action as the signing account, e.g. iam CreateUser --UserName alice,
                          iam PutUserPolicy --UserName alice --PolicyName p --PolicyDocument '{...}'; prints the XML answer)
                         (tenant accounts; create-account prints the account's root access key and secret once)
                connection flags: --endpoint URL (env ARCA_ENDPOINT, default %s)
                                  --access-key K --secret-key S (env ARCA_ACCESS_KEY / ARCA_SECRET_KEY; default: the
                                  root credentials in --data DIR/root-credentials, DIR default ./arca-data)
                                  --region R (default us-east-1)""".formatted(DEFAULT_ENDPOINT));
    }

    static final class UsageException extends IOException {
        UsageException(String message) {
            super(message);
        }
    }

    /** The IAM query API version IAM clients send. */
    static final String IAM_VERSION = "2010-05-08";
    static final String STS_VERSION = "2011-06-15";
    /** STS actions go to the sts service; everything else to iam. */
    private static final java.util.Set<String> STS_ACTIONS = java.util.Set.of("AssumeRole", "GetCallerIdentity");

    /** One signed connection to the admin API. */
    record Admin(HttpEndpoint endpoint, SigV4Signer signer, String access, String secret, String region) {
        static Admin connect(Map<String, String> flags, Map<String, String> env) throws IOException {
            String endpoint = flags.getOrDefault("endpoint", env.getOrDefault("ARCA_ENDPOINT", DEFAULT_ENDPOINT));
            String access = flags.getOrDefault("access-key", env.get("ARCA_ACCESS_KEY"));
            String secret = flags.getOrDefault("secret-key", env.get("ARCA_SECRET_KEY"));
            if (access == null || secret == null) {
                Path file = Path.of(flags.getOrDefault("data", "./arca-data")).resolve("root-credentials");
                Properties p = new Properties();
                try (Reader r = Files.newBufferedReader(file)) {
                    p.load(r);
                } catch (IOException e) {
                    throw new UsageException("no credentials: give --access-key and --secret-key, or --data DIR with a "
                            + "root-credentials file (" + e.getMessage() + ")");
                }
                access = p.getProperty("access_key");
                secret = p.getProperty("secret_key");
            }
            HttpEndpoint ep;
            try {
                ep = HttpEndpoint.parse(endpoint);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
            String region = flags.getOrDefault("region", "us-east-1");
            return new Admin(ep, new SigV4Signer(access, secret, region, SigV4Signer.S3_SERVICE), access, secret, region);
        }

        /** POST / with an IAM (or STS) query-protocol form, signed for that service. */
        BodyCollector iam(Map<String, String> params) throws IOException {
            boolean sts = STS_ACTIONS.contains(params.get("Action"));
            if (sts) {
                params.put("Version", STS_VERSION);
            }
            StringBuilder form = new StringBuilder();
            params.forEach((k, v) -> form.append(form.isEmpty() ? "" : "&").append(SigV4Signer.uriEncode(k, true))
                    .append('=').append(SigV4Signer.uriEncode(v, true)));
            byte[] body = form.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            String payloadHash;
            try {
                payloadHash = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(body));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            SigV4Signer serviceSigner = new SigV4Signer(access, secret, region, sts ? "sts" : "iam");
            String amzDate = SigV4Signer.amzDate(Instant.now());
            String host = endpoint.hostHeader();
            String contentType = "application/x-www-form-urlencoded; charset=utf-8";
            String authorization = serviceSigner.sign("POST", "/", List.of(),
                    Map.of("host", host, SigV4Signer.DATE_HEADER, amzDate, "content-type", contentType), payloadHash)
                    .authorization();
            List<HttpHeader> headers = List.of(new HttpHeader("Host", host), new HttpHeader(SigV4Signer.DATE_HEADER, amzDate),
                    new HttpHeader("Content-Type", contentType), new HttpHeader("Authorization", authorization));
            BodyCollector out = new BodyCollector(MAX_RESPONSE_BYTES);
            try (HttpConnection c = new HttpConnection(endpoint, new HttpTimeouts(TIMEOUT, TIMEOUT))) {
                HttpResponse r = c.exchange(HttpRequest.of("POST", "/", headers, body), out);
                if (!r.isSuccess()) {
                    throw new IOException(params.get("Action") + " failed: HTTP " + r.status() + " " + r.errorText());
                }
            }
            return out;
        }

        BodyCollector call(String method, String operation, List<Map.Entry<String, String>> query) throws IOException {
            String path = "/_arca/admin/" + operation;
            String amzDate = SigV4Signer.amzDate(Instant.now());
            String host = endpoint.hostHeader();
            String authorization = signer.sign(method, path, query,
                    Map.of("host", host, SigV4Signer.DATE_HEADER, amzDate,
                            SigV4Signer.CONTENT_SHA256_HEADER, SigV4Signer.EMPTY_PAYLOAD_SHA256),
                    SigV4Signer.EMPTY_PAYLOAD_SHA256).authorization();
            String target = query.isEmpty() ? path : path + "?" + SigV4Signer.canonicalQuery(query);
            List<HttpHeader> headers = List.of(new HttpHeader("Host", host), new HttpHeader(SigV4Signer.DATE_HEADER, amzDate),
                    new HttpHeader(SigV4Signer.CONTENT_SHA256_HEADER, SigV4Signer.EMPTY_PAYLOAD_SHA256),
                    new HttpHeader("Authorization", authorization));
            BodyCollector body = new BodyCollector(MAX_RESPONSE_BYTES);
            try (HttpConnection c = new HttpConnection(endpoint, new HttpTimeouts(TIMEOUT, TIMEOUT))) {
                HttpResponse r = c.exchange(HttpRequest.of(method, target, headers), body);
                if (!r.isSuccess()) {
                    throw new IOException(method + " " + path + " failed: HTTP " + r.status() + " " + r.errorText());
                }
            }
            return body;
        }
    }
}

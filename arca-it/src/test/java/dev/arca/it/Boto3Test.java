package dev.arca.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * boto3 (Debian package python3-boto3, run by /usr/bin/python3) as a third real client: managed
 * multipart upload and parallel ranged download through s3transfer, and a paginator. The checks
 * run inside a small Python script; its traceback is the failure message.
 *
 * <p>Skipped when boto3 cannot be imported, unless ARCA_REQUIRE_BOTO3=1 makes that a failure.
 */
class Boto3Test {
    static final Path PYTHON = Path.of("/usr/bin/python3");

    private static final String SCRIPT = """
            import filecmp, os, sys
            import boto3
            from boto3.s3.transfer import TransferConfig
            from botocore.config import Config

            endpoint, work, access_key, secret_key = sys.argv[1:5]
            # No retries and a short read timeout: a retry would hide a server error or stall behind a slow success.
            s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                              aws_access_key_id=access_key, aws_secret_access_key=secret_key,
                              config=Config(s3={"addressing_style": "path"}, read_timeout=30,
                                            retries={"mode": "standard", "max_attempts": 1}))
            bucket = "boto3-it"
            s3.create_bucket(Bucket=bucket)

            # 20 MiB over an 8 MiB threshold: a 3-part upload; the download uses parallel ranged GETs.
            mib = 1024 * 1024
            transfer = TransferConfig(multipart_threshold=8 * mib, multipart_chunksize=8 * mib)
            src, dst = os.path.join(work, "big.bin"), os.path.join(work, "big.down")
            s3.upload_file(src, bucket, "data/big.bin", Config=transfer)
            head = s3.head_object(Bucket=bucket, Key="data/big.bin")
            assert head["ETag"].endswith('-3"'), head
            assert head["ContentLength"] == os.path.getsize(src), head
            s3.download_file(bucket, "data/big.bin", dst, Config=transfer)
            assert filecmp.cmp(src, dst, shallow=False), "downloaded file differs"

            # Empty bodies between others on pooled connections (Expect: 100-continue).
            for i in range(7):
                s3.put_object(Bucket=bucket, Key="many/k%02d" % i, Body=b"" if i % 2 == 0 else b"v%d" % i)
            keys, pages = [], 0
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="many/",
                                                                     PaginationConfig={"PageSize": 3}):
                pages += 1
                keys += [o["Key"] for o in page.get("Contents", [])]
            assert keys == ["many/k%02d" % i for i in range(7)], keys
            assert pages == 3, pages
            assert s3.get_object(Bucket=bucket, Key="many/k03")["Body"].read() == b"v3"

            for key in ["data/big.bin"] + keys:
                s3.delete_object(Bucket=bucket, Key=key)
            s3.delete_bucket(Bucket=bucket)
            print("boto3 %s OK" % boto3.__version__)
            """;

    /**
     * Versioning and Object Lock: versions, delete markers and old versions; the "null" version a
     * suspended bucket writes; DeleteObjects by version id; GOVERNANCE retention and its bypass.
     */
    private static final String VERSIONING_SCRIPT = """
            import datetime, sys
            import boto3
            from botocore.config import Config
            from botocore.exceptions import ClientError

            endpoint, access_key, secret_key = sys.argv[1:4]
            s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                              aws_access_key_id=access_key, aws_secret_access_key=secret_key,
                              config=Config(s3={"addressing_style": "path"}, read_timeout=30,
                                            retries={"mode": "standard", "max_attempts": 1}))

            def error(call, **kwargs):
                try:
                    call(**kwargs)
                except ClientError as e:
                    return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]
                raise AssertionError("no error from %s %s" % (call.__name__, kwargs))

            def versions(bucket, key):
                r = s3.list_object_versions(Bucket=bucket, Prefix=key)
                return ([(v["VersionId"], v["IsLatest"], v["Size"]) for v in r.get("Versions", [])],
                        [(m["VersionId"], m["IsLatest"]) for m in r.get("DeleteMarkers", [])])

            def read(bucket, key, version):
                got = s3.get_object(Bucket=bucket, Key=key, VersionId=version)
                assert got["VersionId"] == version, got
                return got["Body"].read()

            # ---- versioning enabled
            b = "boto3-versions"
            s3.create_bucket(Bucket=b)
            assert "Status" not in s3.get_bucket_versioning(Bucket=b)
            s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
            assert s3.get_bucket_versioning(Bucket=b)["Status"] == "Enabled"
            v1 = s3.put_object(Bucket=b, Key="k", Body=b"one")["VersionId"]
            v2 = s3.put_object(Bucket=b, Key="k", Body=b"two, longer")["VersionId"]
            assert v1 != v2 and "null" not in (v1, v2), (v1, v2)
            assert versions(b, "k") == ([(v2, True, 11), (v1, False, 3)], []), versions(b, "k")
            d = s3.delete_object(Bucket=b, Key="k")
            assert d["DeleteMarker"] is True, d
            marker = d["VersionId"]
            assert marker not in ("null", v1, v2), d
            assert versions(b, "k") == ([(v2, False, 11), (v1, False, 3)], [(marker, True)]), versions(b, "k")
            assert error(s3.get_object, Bucket=b, Key="k") == ("NoSuchKey", 404)
            assert error(s3.get_object, Bucket=b, Key="k", VersionId=marker) == ("MethodNotAllowed", 405)
            assert read(b, "k", v1) == b"one"
            assert read(b, "k", v2) == b"two, longer"

            # ---- suspended: PUTs write (and overwrite) the one "null" version; older versions stay
            s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Suspended"})
            assert s3.get_bucket_versioning(Bucket=b)["Status"] == "Suspended"
            p = s3.put_object(Bucket=b, Key="k", Body=b"null one")
            assert p.get("VersionId") == "null", p
            assert versions(b, "k") == ([("null", True, 8), (v2, False, 11), (v1, False, 3)], [(marker, False)]), versions(b, "k")
            s3.put_object(Bucket=b, Key="k", Body=b"null, second")
            assert versions(b, "k") == ([("null", True, 12), (v2, False, 11), (v1, False, 3)], [(marker, False)]), versions(b, "k")
            assert read(b, "k", "null") == b"null, second"
            assert s3.get_object(Bucket=b, Key="k")["Body"].read() == b"null, second"

            # ---- DeleteObjects by version id: a version, the delete marker, the null version
            r = s3.delete_objects(Bucket=b, Delete={"Objects": [{"Key": "k", "VersionId": v1},
                                                                {"Key": "k", "VersionId": marker},
                                                                {"Key": "k", "VersionId": "null"}]})
            assert not r.get("Errors"), r
            deleted = sorted((x["Key"], x["VersionId"], x.get("DeleteMarker", False)) for x in r["Deleted"])
            assert deleted == sorted([("k", v1, False), ("k", marker, True), ("k", "null", False)]), r
            assert versions(b, "k") == ([(v2, True, 11)], []), versions(b, "k")
            assert s3.get_object(Bucket=b, Key="k")["Body"].read() == b"two, longer"
            s3.delete_objects(Bucket=b, Delete={"Objects": [{"Key": "k", "VersionId": v2}], "Quiet": True})
            assert versions(b, "k") == ([], [])
            s3.delete_bucket(Bucket=b)

            # ---- Object Lock: GOVERNANCE retention yields only to BypassGovernanceRetention
            lb = "boto3-lock"
            s3.create_bucket(Bucket=lb, ObjectLockEnabledForBucket=True)
            assert s3.get_bucket_versioning(Bucket=lb)["Status"] == "Enabled"
            lock = s3.get_object_lock_configuration(Bucket=lb)["ObjectLockConfiguration"]
            assert lock["ObjectLockEnabled"] == "Enabled", lock
            until = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) + datetime.timedelta(days=1)
            v = s3.put_object(Bucket=lb, Key="g", Body=b"governed", ObjectLockMode="GOVERNANCE",
                              ObjectLockRetainUntilDate=until)["VersionId"]
            retention = s3.get_object_retention(Bucket=lb, Key="g", VersionId=v)["Retention"]
            assert retention == {"Mode": "GOVERNANCE", "RetainUntilDate": until}, retention
            head = s3.head_object(Bucket=lb, Key="g", VersionId=v)
            assert head["ObjectLockMode"] == "GOVERNANCE" and head["ObjectLockRetainUntilDate"] == until, head
            assert error(s3.delete_object, Bucket=lb, Key="g", VersionId=v) == ("AccessDenied", 403)
            r = s3.delete_objects(Bucket=lb, Delete={"Objects": [{"Key": "g", "VersionId": v}]})
            assert not r.get("Deleted") and [(e["Key"], e["VersionId"], e["Code"]) for e in r["Errors"]] == [("g", v, "AccessDenied")], r
            assert read(lb, "g", v) == b"governed"
            d = s3.delete_object(Bucket=lb, Key="g", VersionId=v, BypassGovernanceRetention=True)
            assert d["VersionId"] == v, d
            assert error(s3.get_object, Bucket=lb, Key="g", VersionId=v) == ("NoSuchVersion", 404)
            assert versions(lb, "g") == ([], [])
            s3.delete_bucket(Bucket=lb)
            print("boto3 %s versioning OK" % boto3.__version__)
            """;

    @TempDir
    static Path tmp;
    static ArcaTestServer server;

    @BeforeAll
    static void start() throws Exception {
        AwsCliTest.requireTool(Files.isExecutable(PYTHON) && python("-c", "import boto3").rc() == 0,
                "ARCA_REQUIRE_BOTO3", "boto3 for " + PYTHON + " (Debian package python3-boto3)");
        server = ArcaTestServer.start(tmp.resolve("data"));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void multipartTransferRangedDownloadAndPaginator() throws Exception {
        Path work = Files.createDirectories(tmp.resolve("work"));
        Files.write(work.resolve("big.bin"), AwsCliTest.randomBytes(3, 20 * 1024 * 1024));
        Path script = work.resolve("check.py");
        Files.writeString(script, SCRIPT);
        AwsCliTest.CliResult r = python(script.toString(), server.endpoint(), work.toString(),
                ArcaTestServer.ACCESS_KEY, ArcaTestServer.SECRET_KEY);
        assertThat(r.rc()).as("%s", r).isZero();
        assertThat(r.stdout()).as("%s", r).contains("OK");
    }

    @Test
    void versioningSuspendedNullVersionBatchDeleteAndGovernanceBypass() throws Exception {
        Path work = Files.createDirectories(tmp.resolve("versioning"));
        Path script = work.resolve("versioning.py");
        Files.writeString(script, VERSIONING_SCRIPT);
        AwsCliTest.CliResult r = python(script.toString(), server.endpoint(), ArcaTestServer.ACCESS_KEY, ArcaTestServer.SECRET_KEY);
        assertThat(r.rc()).as("%s", r).isZero();
        assertThat(r.stdout()).as("%s", r).contains("versioning OK");
    }

    /** /usr/bin/python3 with nothing from this machine's Python or AWS environment. */
    static AwsCliTest.CliResult python(String... args) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(PYTHON.toString());
        pb.command().addAll(List.of(args));
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("PYTHON") || k.startsWith("BOTO"));
        env.put("HOME", tmp.toString());
        env.put("AWS_CONFIG_FILE", tmp.resolve("no-aws-config").toString());
        env.put("AWS_SHARED_CREDENTIALS_FILE", tmp.resolve("no-aws-credentials").toString());
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        env.put("PYTHONNOUSERSITE", "1");
        env.put("PYTHONDONTWRITEBYTECODE", "1");
        return AwsCliTest.runProcess(pb, tmp);
    }
}

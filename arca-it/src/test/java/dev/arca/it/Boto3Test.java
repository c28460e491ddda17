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

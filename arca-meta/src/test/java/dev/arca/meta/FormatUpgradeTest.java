package dev.arca.meta;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.meta.kv.KvBatch;
import dev.arca.meta.kv.MemoryKv;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A format-1 store (no versions) opens as format 2 with every object as its key's "null" version. */
final class FormatUpgradeTest {
    /** A version-1 object record, byte for byte as Arca 0.1 wrote it. */
    private static byte[] v1Object(String etag, long size, String dataId) {
        return new Encoder(Codecs.OBJECT_TAG, (byte) 1).str("null").varint(size).str(etag).i64(5_000).str("owner")
                .map(Map.of()).map(Map.of("m", "1")).map(Map.of())
                .bool(false).varint(0).u8(1).str(dataId).varint(size).finish();
    }

    @Test
    void version1ObjectsBecomeNullVersions() {
        MemoryKv kv = new MemoryKv();
        KvBatch batch = new KvBatch();
        batch.put(Keys.system("format"), Codecs.encodeMark(1));
        batch.put(Keys.bucket("b"), new Encoder(Codecs.BUCKET_TAG, (byte) 1).str("b").str("owner").i64(1).str("us-east-1").finish());
        batch.put(Keys.object("b", "x"), v1Object("e1", 3, "d1"));
        batch.put(Keys.object("b", "y/z"), v1Object("e2", 4, "d2"));
        kv.write(batch, true);

        try (KvMetadataStore store = new KvMetadataStore(kv, false)) {
            assertThat(store.bucket("b").orElseThrow().versioning()).isEqualTo(Versioning.UNVERSIONED);
            ObjectRecord x = store.objectVersion("b", "x", "null").orElseThrow();
            assertThat(x.etag()).isEqualTo("e1");
            assertThat(x.attributes().userMetadata()).containsEntry("m", "1");
            assertThat(store.object("b", "x").orElseThrow()).isEqualTo(x);
            assertThat(store.listVersions("b", new VersionQuery("", null, null, null, 10)).versions())
                    .extracting(VersionListing.Entry::key).containsExactly("x", "y/z");
            // New versions get sequence numbers after the upgraded ones.
            store.submit(new Command.SetVersioning("b", Versioning.ENABLED));
            store.submit(new Command.AddIntent(MetaFixtures.id(1), 6_000));
            String v = store.execute(new Command.PutObject("b", "x", MetaFixtures.blobObject(MetaFixtures.id(1), 9, "e3"),
                    null, WritePrecondition.NONE, java.util.List.of(MetaFixtures.id(1)), 7_000)).versionId();
            assertThat(store.latestVersion("b", "x").orElseThrow().versionId()).isEqualTo(v);
            assertThat(store.objectVersion("b", "x", "null")).isPresent();
            assertThat(Codecs.decodeMark(kv.get(Keys.system("format")))).isEqualTo(2);
        }
    }
}

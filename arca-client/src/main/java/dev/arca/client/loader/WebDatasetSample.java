package dev.arca.client.loader;

import java.util.Map;

/**
 * One WebDataset sample: the consecutive tar members sharing a key.
 *
 * @param shard the shard object it came from
 * @param key the member path up to the first '.' of its file name ({@code train/000042} for
 *     {@code train/000042.seg.png})
 * @param members member bytes by extension (the rest after that dot: {@code seg.png}), in archive order
 */
public record WebDatasetSample(String shard, String key, Map<String, byte[]> members) {

    /** Total bytes of all members. */
    public long bytes() {
        long n = 0;
        for (byte[] b : members.values()) {
            n += b.length;
        }
        return n;
    }
}

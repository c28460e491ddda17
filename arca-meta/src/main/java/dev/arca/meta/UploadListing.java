package dev.arca.meta;

import java.util.List;

/** One page of multipart uploads, with the markers where the next page starts (null if not truncated). */
public record UploadListing(List<UploadRecord> uploads, List<String> commonPrefixes, boolean truncated,
        String nextKeyMarker, String nextUploadIdMarker) {}

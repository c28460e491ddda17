package dev.arca.meta;

import java.util.List;

/** One page of an upload's parts in part-number order; {@code nextMarker} is the last part number returned. */
public record PartListing(List<PartRecord> parts, boolean truncated, int nextMarker) {}

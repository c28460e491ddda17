/**
 * {@code arca feed}: an MLPerf-Storage-style benchmark of the AI data path. N simulated
 * accelerators each take a batch from the {@link dev.arca.client.loader loader}, then sleep the
 * batch's compute time; accelerator utilisation (AU) is compute time over wall time, first step
 * excluded. Entry point: {@link dev.arca.client.feed.FeedMain}.
 */
package dev.arca.client.feed;

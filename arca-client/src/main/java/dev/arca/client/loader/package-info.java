/**
 * The client side of the AI data path: reading training data out of an S3 bucket fast and in
 * bounded memory.
 *
 * <ul>
 *   <li>{@link dev.arca.client.loader.Loader}: ranged GETs (8 MiB by default) into pooled
 *       off-heap buffers ({@link dev.arca.client.loader.BufferPool}), over a bounded pool of
 *       keep-alive connections, with retries and checksum verification. The object size comes from
 *       the first response's {@code Content-Range}: there is no HEAD on the data path.</li>
 *   <li>{@link dev.arca.client.loader.ObjectReader}: one object as an ordered stream with an
 *       adaptive prefetch window (grows while reads stay sequential, resets on a seek).</li>
 *   <li>{@link dev.arca.client.loader.MapDataset}: a list of objects, shuffled per epoch with a
 *       seed and split across workers.</li>
 *   <li>{@link dev.arca.client.loader.WebDatasetShards}: tar shards streamed member by member,
 *       grouped into samples by basename, mixed through a seeded shuffle buffer.</li>
 * </ul>
 *
 * <p>Nothing here depends on server code.
 */
package dev.arca.client.loader;

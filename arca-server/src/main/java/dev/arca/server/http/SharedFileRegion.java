package dev.arca.server.http;

import io.netty.channel.DefaultFileRegion;
import java.nio.channels.FileChannel;

/**
 * A {@link DefaultFileRegion} (so the epoll transport sends it with native {@code sendfile}) over
 * a channel it does not own: a body's pieces share one open shard file, which the body's
 * {@link dev.arca.s3.http.FileSource} closes once every region is done. Releasing the region
 * therefore leaves the channel open.
 */
final class SharedFileRegion extends DefaultFileRegion {
    SharedFileRegion(FileChannel channel, long position, long count) {
        super(channel, position, count);
    }

    @Override
    protected void deallocate() {
        // The channel belongs to the FileSource, not to this region.
    }
}

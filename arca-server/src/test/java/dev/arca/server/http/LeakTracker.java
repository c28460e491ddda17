package dev.arca.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Makes Netty buffer leaks visible to tests: sets PARANOID leak detection (every buffer tracked)
 * and installs a detector factory whose detectors record each reported leak. Must be installed
 * before Netty's buffer classes initialise, i.e. before the first Netty use in the JVM; when some
 * other test initialised them first, {@link #active()} is false and leaks only reach the log.
 */
final class LeakTracker extends ResourceLeakDetectorFactory {
    /** Rounds of GC plus fresh allocations that give the detector a chance to report leaks. */
    private static final int COLLECT_ROUNDS = 5;
    private static final long COLLECT_PAUSE_MILLIS = 50;

    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();
    private static volatile boolean byteBufDetectorCreated;

    static {
        System.setProperty("io.netty.leakDetection.level", "paranoid");
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new LeakTracker());
    }

    private LeakTracker() {}

    /** Idempotent; call from a static initialiser of every test class that uses Netty. */
    static void install() {
        // The static initialiser does the work.
    }

    /** Whether leaks of ByteBufs are recorded here (the factory was installed in time). */
    static boolean active() {
        return byteBufDetectorCreated;
    }

    /** Collects garbage and allocates so that pending leak reports surface, then returns all leaks seen. */
    static List<String> collectLeaks() throws InterruptedException {
        for (int i = 0; i < COLLECT_ROUNDS; i++) {
            System.gc();
            Thread.sleep(COLLECT_PAUSE_MILLIS);
            // Every allocation at PARANOID polls the detector's reference queue.
            ByteBuf probe = ByteBufAllocator.DEFAULT.buffer(1);
            probe.release();
        }
        return List.copyOf(LEAKS);
    }

    @Override
    @SuppressWarnings("deprecation") // the abstract method every factory must implement is the deprecated one
    public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval, long maxActive) {
        ResourceLeakDetector<T> detector = new ResourceLeakDetector<>(resource, samplingInterval);
        detector.setLeakListener((type, records) -> LEAKS.add(type + " leaked:" + records));
        if (ByteBuf.class.isAssignableFrom(resource)) {
            byteBufDetectorCreated = true;
        }
        return detector;
    }
}

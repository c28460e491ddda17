package dev.arca.client.loader;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;

/**
 * At most {@code capacity} {@link ObjectClient}s, created on demand and reused (keep-alive).
 * A borrower holds one only for the span of one exchange and never waits on anything else while
 * holding it, so borrowing cannot deadlock. Thread-safe.
 */
final class ConnectionPool implements AutoCloseable {

    private final LoaderConfig config;
    private final Semaphore permits;
    private final ArrayDeque<ObjectClient> idle = new ArrayDeque<>();
    private final List<ObjectClient> all = new ArrayList<>();
    private boolean closed;

    ConnectionPool(LoaderConfig config, int capacity) {
        this.config = config;
        this.permits = new Semaphore(capacity, true);
    }

    /** Borrows a client, waiting while all are busy. */
    ObjectClient borrow() throws InterruptedException {
        permits.acquire();
        synchronized (this) {
            if (closed) {
                permits.release();
                throw new IllegalStateException("loader closed");
            }
            ObjectClient c = idle.poll();
            if (c == null) {
                c = new ObjectClient(config);
                all.add(c);
            }
            return c;
        }
    }

    /** Returns a borrowed client; it reconnects by itself if its socket was dropped. */
    void giveBack(ObjectClient client) {
        synchronized (this) {
            if (closed) {
                client.close();
            } else {
                idle.push(client);
            }
        }
        permits.release();
    }

    /** TCP connections opened by all clients so far. */
    synchronized int connects() {
        int n = 0;
        for (ObjectClient c : all) {
            n += c.connects();
        }
        return n;
    }

    /** Aborts every client, busy ones included: their exchanges fail at once. */
    @Override
    public void close() {
        List<ObjectClient> clients;
        synchronized (this) {
            closed = true;
            clients = List.copyOf(all);
            idle.clear();
        }
        for (ObjectClient c : clients) {
            c.abort();
        }
    }
}

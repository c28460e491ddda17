import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The raw loopback limit for a Java client on this machine: N TCP connections on 127.0.0.1, a sender
 * writing 1 MiB buffers into each and a reader draining each into a 1 MiB buffer, no HTTP, no
 * storage. Arca's GET throughput is compared with this figure (bench/peers.sh).
 *
 * <p>The sender's bytes come from one of: {@code memory} (the same 1 MiB array over and over: the
 * loopback limit itself), {@code pread} (a 1 GiB file in the page cache, read 1 MiB at a time into
 * a direct buffer that is then written: what any server that serves files must at least do) or
 * {@code sendfile} (the same file through {@code FileChannel.transferTo}).
 * Run: java bench/LoopbackRaw.java [connections=8] [seconds=5] [memory|pread|sendfile]; prints one JSON line.
 */
public final class LoopbackRaw {
    private static final int BUFFER = 1 << 20;
    /** The file the pread and sendfile senders serve: large enough that the bytes are not cache-hot. */
    private static final long FILE_BYTES = 1L << 30;

    public static void main(String[] args) throws Exception {
        int connections = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        String source = args.length > 2 ? args[2] : "memory";
        Path file = source.equals("memory") ? null : pageCachedFile();
        AtomicBoolean stop = new AtomicBoolean();
        LongAdder received = new LongAdder();
        List<Thread> threads = new ArrayList<>();
        // File senders need channels (direct-buffer writes, transferTo); memory keeps the plain socket
        // streams the figure has always been measured with.
        try (ServerSocket server = file == null ? new ServerSocket(0, connections, InetAddress.getLoopbackAddress())
                : ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), connections)
                        .socket()) {
            Thread acceptor = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < connections; i++) {
                    try {
                        Socket s = server.accept();
                        threads.add(Thread.ofPlatform().start(() -> {
                            switch (source) {
                                case "memory" -> send(s, stop);
                                case "pread" -> sendFile(s, stop, file, false);
                                case "sendfile" -> sendFile(s, stop, file, true);
                                default -> throw new IllegalArgumentException("source: memory, pread or sendfile");
                            }
                        }));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            List<Socket> clients = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                Socket c = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                clients.add(c);
                threads.add(Thread.ofPlatform().start(() -> receive(c, received)));
            }
            acceptor.join();
            Thread.sleep(1000); // warm up
            long before = received.sum();
            long start = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            long bytes = received.sum() - before;
            double elapsed = (System.nanoTime() - start) / 1e9;
            stop.set(true);
            for (Socket c : clients) {
                c.close();
            }
            System.out.printf("{\"source\":\"%s\",\"connections\":%d,\"seconds\":%.1f,\"GBps\":%.3f}%n", source, connections,
                    elapsed, bytes / 1e9 / elapsed);
        }
        for (Thread t : threads) {
            t.join(2000);
        }
        if (file != null) {
            Files.delete(file);
        }
    }

    /** A temporary file of random bytes, read once so it sits in the page cache. */
    private static Path pageCachedFile() throws IOException {
        Path file = Files.createTempFile("arca-loopback", ".bin");
        byte[] block = new byte[BUFFER];
        Random random = new Random(1);
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long written = 0; written < FILE_BYTES; written += BUFFER) {
                random.nextBytes(block);
                out.write(block);
            }
        }
        try (InputStream in = Files.newInputStream(file)) {
            while (in.read(block) >= 0) {
                // warm the page cache
            }
        }
        return file;
    }

    private static void sendFile(Socket s, AtomicBoolean stop, Path file, boolean sendfile) {
        ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
        try (s; FileChannel f = FileChannel.open(file, StandardOpenOption.READ)) {
            SocketChannel out = s.getChannel();
            long off = ThreadLocalRandom.current().nextLong(FILE_BYTES / BUFFER) * BUFFER;
            while (!stop.get()) {
                if (sendfile) {
                    off += f.transferTo(off, BUFFER, out);
                } else {
                    buf.clear();
                    while (buf.hasRemaining()) {
                        f.read(buf, off + buf.position());
                    }
                    buf.flip();
                    while (buf.hasRemaining()) {
                        out.write(buf);
                    }
                    off += BUFFER;
                }
                off %= FILE_BYTES;
            }
        } catch (IOException e) {
            // the reader closed: done
        }
    }

    private static void send(Socket s, AtomicBoolean stop) {
        byte[] buf = new byte[BUFFER];
        try (s; OutputStream out = s.getOutputStream()) {
            while (!stop.get()) {
                out.write(buf);
            }
        } catch (IOException e) {
            // the reader closed: done
        }
    }

    private static void receive(Socket c, LongAdder received) {
        byte[] buf = new byte[BUFFER];
        try (InputStream in = c.getInputStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                received.add(n);
            }
        } catch (IOException e) {
            // closed at the end of the run
        }
    }
}

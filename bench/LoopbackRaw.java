import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
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
 * Run: java bench/LoopbackRaw.java [connections=8] [seconds=5]; prints one JSON line.
 */
public final class LoopbackRaw {
    private static final int BUFFER = 1 << 20;

    public static void main(String[] args) throws Exception {
        int connections = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        AtomicBoolean stop = new AtomicBoolean();
        LongAdder received = new LongAdder();
        List<Thread> threads = new ArrayList<>();
        try (ServerSocket server = new ServerSocket(0, connections, InetAddress.getLoopbackAddress())) {
            Thread acceptor = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < connections; i++) {
                    try {
                        Socket s = server.accept();
                        threads.add(Thread.ofPlatform().start(() -> send(s, stop)));
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
            System.out.printf("{\"connections\":%d,\"seconds\":%.1f,\"GBps\":%.3f}%n", connections, elapsed, bytes / 1e9 / elapsed);
        }
        for (Thread t : threads) {
            t.join(2000);
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

package dev.arca.client.http;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw-socket server that answers each request with scripted bytes, for framing cases a real
 * server will not produce on demand (stale keep-alive, bodies ended by close, bad status lines).
 */
final class ScriptedServer implements AutoCloseable {

    /**
     * What to send back for one request, whether to close the socket afterwards, and whether to
     * answer before reading the request body (as a server refusing an upload may).
     */
    record Reply(byte[] bytes, boolean closeAfter, boolean beforeBody) {
        static Reply of(String text, boolean closeAfter) {
            return new Reply(text.getBytes(StandardCharsets.ISO_8859_1), closeAfter, false);
        }

        static Reply early(String text) {
            return new Reply(text.getBytes(StandardCharsets.ISO_8859_1), true, true);
        }
    }

    /** Chooses the reply to request number {@code request} (0-based) on connection {@code connection}. */
    @FunctionalInterface
    interface Script {
        Reply reply(int connection, int request, String head);
    }

    /** A received request: its head as text and its body. */
    record Received(int connection, String head, byte[] body) {
    }

    private static final int MAX_HEAD = 64 * 1024;

    private final ServerSocket server;
    private final Script script;
    private final AtomicInteger connections = new AtomicInteger();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    ScriptedServer(Script script) throws IOException {
        this.server = new ServerSocket(0, 0, InetAddress.getLoopbackAddress());
        this.script = script;
        this.acceptor = Thread.ofPlatform().daemon().start(this::acceptLoop);
    }

    HttpEndpoint endpoint() {
        return new HttpEndpoint(InetAddress.getLoopbackAddress().getHostAddress(), server.getLocalPort());
    }

    int connections() {
        return connections.get();
    }

    List<Received> received() {
        return received;
    }

    @Override
    public void close() throws IOException {
        server.close();
        acceptor.interrupt();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                int id = connections.getAndIncrement();
                Thread.ofPlatform().daemon().start(() -> serve(s, id));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket, int connection) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            for (int request = 0; ; request++) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                Reply reply = script.reply(connection, request, head);
                byte[] body = reply.beforeBody() ? new byte[0] : in.readNBytes(contentLength(head));
                received.add(new Received(connection, head, body));
                out.write(reply.bytes());
                out.flush();
                if (reply.closeAfter()) {
                    return;
                }
            }
        } catch (IOException e) {
            // The client went away; nothing to report.
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            if (head.size() > MAX_HEAD) {
                throw new IOException("head too large");
            }
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
                    ? state + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Integer.parseInt(line.substring("content-length:".length()).strip());
            }
        }
        return 0;
    }
}

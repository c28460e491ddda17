package dev.arca.client.bench;

import dev.arca.client.http.BodySink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Checks a batch GET's tar stream as it arrives, without keeping it: one member per requested key,
 * in order, named as the key and {@code size} bytes long (an error member, {@code <key>.error.json},
 * counts as a failed object), then the end-of-archive blocks. With {@code expected} set, member
 * bytes are compared too. Reads ustar headers and pax {@code path} records (for long keys).
 */
final class TarCheckSink implements BodySink {
    private static final int BLOCK = 512;
    /** Largest pax extended header this checker accepts. */
    private static final int MAX_PAX_BYTES = 64 * 1024;

    private enum State { HEADER, PAX, DATA, PADDING, END }

    private final byte[] block = new byte[BLOCK];
    private List<String> keys;
    private long size;
    private Expected expected;
    private State state;
    private int filled;
    private long left;
    private int member;
    private int zeroBlocks;
    private int failed;
    private String paxPath;
    private byte[] pax;
    private boolean mismatch;
    private String problem;

    /** What each member's bytes must be: {@code data[offsetOf(i) ...]} for member i; null: not compared. */
    interface Expected {
        byte[] data();

        int offsetOf(int member);
    }

    /** Resets for a response to a batch of {@code keys}, each {@code size} bytes. */
    void expect(List<String> keys, long size, Expected expected) {
        this.keys = keys;
        this.size = size;
        this.expected = expected;
        state = State.HEADER;
        filled = 0;
        member = 0;
        zeroBlocks = 0;
        failed = 0;
        paxPath = null;
        mismatch = false;
        problem = null;
    }

    /** Objects served with the right name and size (and bytes, when compared). */
    int served() {
        return member - failed;
    }

    /** Why the stream is not what was asked for, or null if it is (complete, in order). */
    String problem() {
        if (problem != null) {
            return problem;
        }
        if (state != State.END) {
            return "tar stream ended early, after " + member + " of " + keys.size() + " members";
        }
        if (member != keys.size()) {
            return member + " members for " + keys.size() + " keys";
        }
        if (mismatch) {
            return "member bytes differ from what was written";
        }
        return failed > 0 ? failed + " objects answered with an error member" : null;
    }

    @Override
    public void accept(byte[] buffer, int offset, int length) throws IOException {
        int end = offset + length;
        int at = offset;
        while (at < end && problem == null) {
            switch (state) {
                case HEADER, PAX -> {
                    int n = Math.min(end - at, (state == State.HEADER ? BLOCK : pax.length) - filled);
                    System.arraycopy(buffer, at, state == State.HEADER ? block : pax, filled, n);
                    filled += n;
                    at += n;
                    if (state == State.HEADER && filled == BLOCK) {
                        header();
                    } else if (state == State.PAX && filled == pax.length) {
                        paxDone();
                    }
                }
                case DATA -> {
                    int n = (int) Math.min(end - at, left);
                    if (expected != null && !mismatch) {
                        int from = expected.offsetOf(member) + (int) (size - left);
                        mismatch = Arrays.mismatch(buffer, at, at + n, expected.data(), from, from + n) >= 0;
                    }
                    left -= n;
                    at += n;
                    if (left == 0) {
                        member++;
                        toPadding(size);
                    }
                }
                case PADDING -> {
                    int n = (int) Math.min(end - at, left);
                    left -= n;
                    at += n;
                    if (left == 0) {
                        state = State.HEADER;
                    }
                }
                case END -> problem = "bytes after the end of the archive";
            }
        }
    }

    private void header() {
        filled = 0;
        if (isZero(block)) {
            if (++zeroBlocks == 2) {
                state = State.END;
            }
            return;
        }
        if (zeroBlocks > 0) {
            problem = "a lone zero block inside the archive";
            return;
        }
        long memberSize = octal(block, 124, 12);
        char type = (char) block[156];
        if (type == 'x') {
            if (memberSize > MAX_PAX_BYTES) {
                problem = "pax header of " + memberSize + " bytes";
                return;
            }
            pax = new byte[(int) memberSize];
            state = State.PAX;
            if (memberSize == 0) {
                paxDone();
            }
            return;
        }
        String name = paxPath != null ? paxPath : cString(block, 0, 100);
        paxPath = null;
        if (member >= keys.size()) {
            problem = "more members than keys";
            return;
        }
        String key = keys.get(member);
        if (name.equals(key + ".error.json")) {
            failed++;
            member++;
            skip(memberSize);
            return;
        }
        if (!name.equals(key) || memberSize != size) {
            problem = "member " + member + " is " + name + " (" + memberSize + " bytes), expected " + key + " (" + size + ")";
            return;
        }
        if (memberSize == 0) {
            member++;
            return;
        }
        state = State.DATA;
        left = memberSize;
    }

    private void paxDone() {
        String records = new String(pax, StandardCharsets.UTF_8);
        for (String record : records.split("\n")) {
            int space = record.indexOf(' ');
            if (space > 0 && record.startsWith("path=", space + 1)) {
                paxPath = record.substring(space + 1 + "path=".length());
            }
        }
        toPadding(pax.length);
        filled = 0;
    }

    /** Skips an error member's document and its padding. */
    private void skip(long n) {
        left = n + padding(n);
        state = left == 0 ? State.HEADER : State.PADDING;
    }

    private void toPadding(long n) {
        left = padding(n);
        state = left == 0 ? State.HEADER : State.PADDING;
    }

    private static long padding(long n) {
        return (BLOCK - n % BLOCK) % BLOCK;
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static long octal(byte[] h, int offset, int width) {
        long v = 0;
        for (int i = offset; i < offset + width && h[i] >= '0' && h[i] <= '7'; i++) {
            v = v << 3 | (h[i] - '0');
        }
        return v;
    }

    private static String cString(byte[] h, int offset, int width) {
        int end = offset;
        while (end < offset + width && h[end] != 0) {
            end++;
        }
        return new String(h, offset, end - offset, StandardCharsets.UTF_8);
    }
}

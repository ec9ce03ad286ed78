package io.conduit;

import io.conduit.file.ChannelFileDescriptor;
import io.conduit.file.ChannelOptions;
import io.conduit.ring.RingKind;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A channel file truncated by another process while a child JVM uses it: the child's next touch of a page past the
 * new end must end in a {@link TruncatedChannelException} that names the file and both lengths, not a crash, and
 * every message before the truncation must have arrived, in order and whole. The child runs compiled (after enough
 * messages for the JIT to compile the send and receive paths) or interpreted ({@code -Xint}); the file is truncated to
 * its header (the ring's pages gone, the positions and futex words kept) or to nothing.
 */
class TruncatedChannelTest
{
    private static final long PROCESS_TIMEOUT_S = 90;

    @TempDir
    Path dir;

    /**
     * The header gone too: on JDK 17 a thread asleep in a blocking call can then crash the JVM (HotSpot 17 reports a
     * fault after the access, and a compare-and-set on the waiters count may come first, which its interpreter does
     * not guard), so these cases run on JDK 25 only, where the fault is reported at the access.
     */
    @ParameterizedTest(name = "{0} {1} truncated to {2} {3}, from JDK {5}")
    @CsvSource({
        "receive, SPSC, header, -Xmixed, 200000, 17",
        "receive, MPSC, header, -Xmixed, 200000, 17",
        "send, SPSC, header, -Xmixed, 200000, 17",
        "send, MPSC, header, -Xmixed, 200000, 17",
        "receive, MPSC, header, -Xint, 5000, 17",
        "send, SPSC, header, -Xint, 5000, 17",
        "send, MPSC, header, -Xint, 5000, 17",
        "receive, SPSC, nothing, -Xmixed, 200000, 25",
        "send, MPSC, nothing, -Xmixed, 200000, 25",
        "receive, MPSC, nothing, -Xint, 5000, 25",
    })
    void shouldThrowTruncatedChannelExceptionInTheChildAndKeepEveryMessageBefore(
        final String childRole,
        final RingKind kind,
        final String truncatedTo,
        final String jvmMode,
        final long count,
        final int fromJdk)
        throws Exception
    {
        assumeTrue(Runtime.version().feature() >= fromJdk, "JDK " + fromJdk + " or later");
        final String name = "truncated";
        final long truncatedLength = "header".equals(truncatedTo) ? ChannelFileDescriptor.FILE_HEADER_LENGTH : 0;
        final Path log = dir.resolve("child.log");
        final Path go = dir.resolve("go");
        try (Channel channel = Channel.open(dir, name, ChannelOptions.defaults().kind(kind).capacity(64 * 1024)))
        {
            final Path file = channel.file().path();
            final long length = Files.size(file);
            final Process child = TestJvm.start(TruncatedChannelProcess.class, log, new String[] {jvmMode},
                dir.toString(), name, childRole, Long.toString(count), go.toString());
            try
            {
                if ("receive".equals(childRole))
                {
                    sendAll(channel, count, child, log);
                    awaitAllRead(channel, child, log);
                    truncate(file, truncatedLength);
                }
                else
                {
                    readAll(channel, count, child, log);
                    truncate(file, truncatedLength);
                    Files.createFile(go);
                }
                assertTrue(child.waitFor(PROCESS_TIMEOUT_S, TimeUnit.SECONDS), "child still running");
                final String output = read(log);
                assertEquals(0, child.exitValue(), output);
                final String counted = "receive".equals(childRole) ? "read=" + count + " " : "sent=";
                assertTrue(output.startsWith("truncated " + ("receive".equals(childRole) ? counted : "read=0 sent=")),
                    output);
                assertTrue(output.contains("channel file truncated after it was mapped: file=" + file + " length=" +
                    truncatedLength + " mapped=" + length), output);
                if (!"receive".equals(childRole))
                {
                    final long sent = Long.parseLong(output.replaceFirst("(?s).*sent=(\\d+).*", "$1"));
                    assertTrue(sent >= count, output);
                }
            }
            finally
            {
                child.destroyForcibly().waitFor(PROCESS_TIMEOUT_S, TimeUnit.SECONDS);
                // this process's mapping is whole again (zero pages) for the close, which touches the header
                truncate(file, length);
            }
        }
    }

    private static void sendAll(final Channel channel, final long count, final Process child, final Path log)
        throws Exception
    {
        final UnsafeBuffer message = new UnsafeBuffer(new byte[TruncatedChannelProcess.MESSAGE_LENGTH]);
        for (long sequence = 0; sequence < count; )
        {
            message.putLong(0, sequence);
            message.putLong(Long.BYTES, TruncatedChannelProcess.checksum(sequence));
            if (channel.send(1, message, 0, message.capacity(), TimeUnit.MILLISECONDS.toNanos(100)))
            {
                sequence++;
            }
            else if (!child.isAlive())
            {
                fail("child ended before reading message " + sequence + ": " + read(log));
            }
        }
    }

    private static void awaitAllRead(final Channel channel, final Process child, final Path log) throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(PROCESS_TIMEOUT_S);
        while (0 != channel.ring().size())
        {
            if (!child.isAlive() || System.nanoTime() > deadlineNs)
            {
                fail("child did not read every message: " + read(log));
            }
            Thread.onSpinWait();
        }
    }

    private static void readAll(final Channel channel, final long count, final Process child, final Path log)
        throws Exception
    {
        final long[] read = new long[1];
        final MessageHandler handler = (typeId, buffer, offset, length) ->
        {
            final long sequence = buffer.getLong(offset);
            assertEquals(TruncatedChannelProcess.MESSAGE_LENGTH, length);
            assertEquals(read[0], sequence, "sequence");
            assertEquals(TruncatedChannelProcess.checksum(sequence), buffer.getLong(offset + Long.BYTES), "checksum");
            read[0]++;
        };
        while (read[0] < count)
        {
            if (0 == channel.receive(handler, (int)Math.min(64, count - read[0]), TimeUnit.MILLISECONDS.toNanos(100)) &&
                !child.isAlive())
            {
                fail("child ended after " + read[0] + " messages: " + read(log));
            }
        }
    }

    private static void truncate(final Path file, final long length) throws Exception
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.setLength(length);
        }
    }

    private static String read(final Path log) throws Exception
    {
        return Files.exists(log) ? Files.readString(log) : "(no output)";
    }
}

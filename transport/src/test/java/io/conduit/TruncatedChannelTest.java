package io.conduit;

import io.conduit.file.ChannelFile;
import io.conduit.file.ChannelFileDescriptor;
import io.conduit.file.ChannelOptions;
import io.conduit.file.OpenChannelFiles;
import io.conduit.ring.RecordDescriptor;
import io.conduit.ring.RingKind;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A channel file truncated by another process while a child JVM uses it: the child must not crash, must report a
 * {@link TruncatedChannelException} that names the file and both lengths, and every message before the truncation
 * must have arrived, in order and whole. The exception comes from the channel when the JVM raises the fault inside
 * its call, and from {@code checkLength()}, asked by the child as a user would, when it raises it after (JDK 17, and
 * some compiled code on JDK 25): so these cases show survival and the report, not which of the two named it; the
 * in-process cases below show the channel's naming. The child runs 200,000 messages first (enough for the JIT to
 * compile the send and receive paths, though nothing checks that it did) or is interpreted ({@code -Xint}); the file
 * is truncated to
 * its header (the positions and futex words kept, and the rest of the header's last page: the ring's first bytes, which
 * the messages sent have passed) or to nothing.
 */
class TruncatedChannelTest
{
    private static final long PROCESS_TIMEOUT_S = 90;
    private static final int CAPACITY = 64 * 1024;
    // a 16-byte message and its 8-byte header take one record of this length
    private static final int RECORD_LENGTH = RecordDescriptor.ALIGNMENT;

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
        "receive, SPSC, header, -Xint, 5000, 17",
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
        // the page holding the file's new end stays whole: the ring's bytes on it read as zeros, never fault, so the
        // message after the last one sent must lie past it (it does on 4 KiB pages; a 64 KiB page holds more)
        final int page = UnsafeApi.pageSize();
        final long keptRingBytes =
            (truncatedLength + page - 1) / page * page - ChannelFileDescriptor.FILE_HEADER_LENGTH;
        assumeTrue(count * RECORD_LENGTH % CAPACITY >= keptRingBytes, "the next record would sit on the page kept: " +
            "page=" + page + " count=" + count);
        final Path log = dir.resolve("child.log");
        final Path go = dir.resolve("go");
        try (Channel channel = Channel.open(dir, name, ChannelOptions.defaults().kind(kind).capacity(CAPACITY)))
        {
            final Path file = channel.file().path();
            final long length = Files.size(file);
            // a crash (the failure this test is for) leaves its report in the test's directory, and no core
            final String[] options = {jvmMode, "-XX:ErrorFile=" + dir.resolve("hs_err_%p.log"),
                "-XX:-CreateCoredumpOnCrash"};
            final Process child = TestJvm.start(TruncatedChannelProcess.class, log, options,
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
                assertEquals(0, child.exitValue(), () -> output + crashReports());
                final String expected = "truncated read=" + ("receive".equals(childRole) ? count + " sent=0 " :
                    "0 sent=");
                assertTrue(output.lines().anyMatch(line -> line.startsWith(expected)), output);
                if (Runtime.version().feature() >= 25)
                {
                    // the fault raised at the access: nothing left pending for close, which touches nothing gone
                    assertTrue(output.lines().anyMatch("closed"::equals), output);
                }
                assertTrue(output.contains("channel file truncated after it was mapped: file=" + file + " length=" +
                    truncatedLength + " mapped=" + length), output);
            }
            finally
            {
                child.destroyForcibly().waitFor(PROCESS_TIMEOUT_S, TimeUnit.SECONDS);
                // this process's mapping is whole again (zero pages) for the close, which touches the header
                truncate(file, length);
            }
        }
    }

    /**
     * Channel's part, without a real fault: a handler (poll, receive), or the message's source as the ring copies
     * from it (offer, send), truncates the file to its header, so the ring's own stores after it still land, and
     * throws the error a fault would have raised. Each call names the truncation, the error as its cause; a failed send
     * has given its claim back as padding, not left it open.
     */
    @ParameterizedTest
    @ValueSource(strings = {"poll", "receive", "offer", "send"})
    void shouldNameTheTruncationForAnErrorMetInACall(final String call) throws Exception
    {
        try (Channel channel = Channel.open(dir, "named", ChannelOptions.defaults().capacity(CAPACITY)))
        {
            final Path file = channel.file().path();
            final long length = Files.size(file);
            final InternalError fault = new InternalError("a fault occurred in an unsafe memory access operation");
            final MessageHandler handler = (typeId, buffer, offset, messageLength) ->
            {
                truncateQuietly(file, ChannelFileDescriptor.FILE_HEADER_LENGTH);
                throw fault;
            };
            final UnsafeBuffer source = new UnsafeBuffer(new byte[8])
            {
                @Override
                public void boundsCheck(final int index, final int length)
                {
                    truncateQuietly(file, ChannelFileDescriptor.FILE_HEADER_LENGTH);
                    throw fault;
                }
            };
            if ("poll".equals(call) || "receive".equals(call))
            {
                assertTrue(channel.offer(1, new UnsafeBuffer(new byte[8]), 0, 8));
            }
            assertNamesTheTruncation(file, length, fault, () ->
            {
                switch (call)
                {
                    case "poll" -> channel.poll(handler, 1);
                    case "receive" -> channel.receive(handler, 1, TimeUnit.SECONDS.toNanos(10));
                    case "offer" -> channel.offer(1, source, 0, 8);
                    default -> channel.send(1, source, 0, 8, TimeUnit.SECONDS.toNanos(10));
                }
            }, () ->
            {
                if ("offer".equals(call) || "send".equals(call))
                {
                    // the claim given back as padding over its record, not left open for the stuck-claim timeout:
                    // stored after the truncation, on the page kept past the new end, read before the file is made
                    // whole again (which reads zeros there)
                    final long header = channel.file().ringBuffer().getLongVolatile(0);
                    assertEquals(RecordDescriptor.PADDING_TYPE_ID, RecordDescriptor.typeId(header), "given back");
                    assertEquals(RecordDescriptor.HEADER_LENGTH + 8, RecordDescriptor.frameLength(header));
                }
            });
        }
    }

    /**
     * Measuring a file on an interrupted thread neither clears the flag nor loses the file: an interruptible channel
     * would close itself on such a call.
     */
    @Test
    void shouldMeasureOnAnInterruptedThreadAndKeepTheFlag() throws Exception
    {
        try (Channel channel = Channel.open(dir, "interrupted", ChannelOptions.defaults().capacity(CAPACITY)))
        {
            final Path file = channel.file().path();
            final long length = Files.size(file);
            Thread.currentThread().interrupt();
            try
            {
                channel.file().checkLength();
                assertTrue(Thread.currentThread().isInterrupted(), "the flag kept");
                assertEquals(1, descriptorsOf(file), "the descriptor kept open");
                truncate(file, ChannelFileDescriptor.FILE_HEADER_LENGTH);
                assertTrue(channel.file().isTruncated(), "still measured after a call on an interrupted thread");
                assertTrue(Thread.currentThread().isInterrupted(), "the flag kept");
            }
            finally
            {
                Thread.interrupted();
                truncate(file, length);
            }
        }
    }

    /**
     * The descriptor a channel file keeps open for measuring goes with it: at close, and when open refuses the file.
     */
    @Test
    void shouldReleaseTheDescriptorAtCloseAndOnARefusedOpen() throws Exception
    {
        final Path file;
        try (Channel channel = Channel.open(dir, "descriptor", ChannelOptions.defaults().capacity(CAPACITY)))
        {
            file = channel.file().path();
            assertEquals(1, descriptorsOf(file));
        }
        assertEquals(0, descriptorsOf(file));
        assertThrows(IllegalArgumentException.class, () -> ChannelFile.open(dir, "descriptor",
            ChannelOptions.defaults().kind(RingKind.MPSC)));
        assertEquals(0, descriptorsOf(file), "a refused open");
    }

    private static int descriptorsOf(final Path file) throws Exception
    {
        final Path real = file.toRealPath();
        int count = 0;
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd")))
        {
            for (final Path fd : (Iterable<Path>)fds::iterator)
            {
                try
                {
                    if (Files.readSymbolicLink(fd).equals(real))
                    {
                        count++;
                    }
                }
                catch (final IOException ex)
                {
                    // closed while listed
                }
            }
        }
        return count;
    }

    /**
     * The same errors from a file that is whole pass through unchanged: a handler's own, for one.
     */
    @Test
    void shouldPassAnErrorThroughUnchangedWhenTheFileIsWhole() throws Exception
    {
        try (Channel channel = Channel.open(dir, "whole", ChannelOptions.defaults().capacity(CAPACITY)))
        {
            assertTrue(channel.offer(1, new UnsafeBuffer(new byte[8]), 0, 8));
            final InternalError error = new InternalError("the handler's own");
            assertSame(error, assertThrows(InternalError.class,
                () -> channel.poll((typeId, buffer, offset, length) -> { throw error; }, 1)));
        }
    }

    /**
     * A set names a truncated member for errors met in its own wait, not for another member's handler's error: that
     * passes through the member's poll, which names only its own file.
     */
    @Test
    void shouldNotBlameATruncatedMemberOfASetForAnotherMembersHandler() throws Exception
    {
        final ChannelOptions options = ChannelOptions.defaults().capacity(CAPACITY);
        try (Channel truncated = Channel.open(dir, "cut", options);
            Channel other = Channel.open(dir, "other", options))
        {
            final Path file = truncated.file().path();
            final long length = Files.size(file);
            assertTrue(other.offer(1, new UnsafeBuffer(new byte[8]), 0, 8));
            final IllegalStateException error = new IllegalStateException("the handler's own");
            truncate(file, ChannelFileDescriptor.FILE_HEADER_LENGTH);
            try
            {
                // the other member first: its handler throws before the truncated member's ring is touched
                assertSame(error, assertThrows(IllegalStateException.class, () -> new ChannelSet(other, truncated)
                    .receive((typeId, buffer, offset, messageLength) -> { throw error; }, 1, 1_000_000_000L)));
            }
            finally
            {
                truncate(file, length);
            }
        }
    }

    /**
     * A set asleep on a member whose file is truncated to nothing: the fault (or the futex errno) meets the set in its
     * own wait, which names the member. JDK 25 only: there the fault is raised at the access; on JDK 17 the sleeper's
     * withdrawal could crash this JVM (docs/LAYOUT.md).
     */
    @Test
    void shouldNameATruncatedMemberForAnErrorMetInTheSetsWait() throws Exception
    {
        assumeTrue(Runtime.version().feature() >= 25, "JDK 25 or later");
        // one sleep spans the truncation: the withdrawal that ends it faults inside the set's wait, not in a poll
        final long maxSleepNs = TimeUnit.MILLISECONDS.toNanos(500);
        try (Channel channel = Channel.open(dir, "waiting", ChannelOptions.defaults().capacity(CAPACITY), 0, 0,
            maxSleepNs))
        {
            final Path file = channel.file().path();
            final long length = Files.size(file);
            final ChannelSet set = new ChannelSet(channel);
            final AtomicReference<Throwable> thrown =
                new AtomicReference<>();
            final Thread receiver = new Thread(() ->
            {
                try
                {
                    set.receive((typeId, buffer, offset, messageLength) -> { }, 1, TimeUnit.SECONDS.toNanos(30));
                    thrown.set(new AssertionError("receive returned"));
                }
                catch (final Throwable ex)
                {
                    thrown.set(ex);
                }
            });
            receiver.start();
            try
            {
                ChannelTest.awaitSleeper(channel, ChannelFileDescriptor.DATA_WAITERS_OFFSET);
                truncate(file, 0);
                receiver.join(TimeUnit.SECONDS.toMillis(PROCESS_TIMEOUT_S));
                assertFalse(receiver.isAlive(), "the set's receive did not end");
                final Throwable ex = thrown.get();
                assertInstanceOf(TruncatedChannelException.class, ex, () -> String.valueOf(ex));
                assertTrue(ex.getMessage().startsWith("channel file truncated after it was mapped: file=" + file +
                    " length=0 mapped=" + length), ex.getMessage());
                assertTrue(Arrays.stream(ex.getStackTrace()).anyMatch(frame ->
                    ChannelSet.class.getName().equals(frame.getClassName()) && "idle".equals(frame.getMethodName())),
                    "named by the set's wait");
            }
            finally
            {
                receiver.join(TimeUnit.SECONDS.toMillis(PROCESS_TIMEOUT_S));
                truncate(file, length);
            }
        }
    }

    /**
     * A file truncated, then renamed away and deleted, is still measured: through the file mapped, not its name.
     */
    @Test
    void shouldMeasureTheMappedFileAfterItIsRenamedAndDeleted() throws Exception
    {
        try (Channel channel = Channel.open(dir, "gone", ChannelOptions.defaults().capacity(CAPACITY)))
        {
            final Path file = channel.file().path();
            assertTrue(channel.offer(1, new UnsafeBuffer(new byte[8]), 0, 8)); // both roles taken
            assertEquals(1, channel.poll((typeId, buffer, offset, length) -> { }, 1));
            truncate(file, 0);
            final Path moved = dir.resolve("moved");
            Files.move(file, moved);
            Files.write(file, new byte[(int)ChannelFileDescriptor.fileLength(64 * 1024)]); // a whole file, not it
            assertTrue(channel.file().isTruncated());
            assertTrue(channel.file().isHeaderGone());
            Files.delete(moved);
            assertThrows(TruncatedChannelException.class, () -> channel.file().checkLength());
        }
        // closed (the try above) without a touch of the mapping: a role release there would have crashed on JDK 17
    }

    /**
     * Closing a channel whose file lost its header, with both roles taken, unmaps it and counts it closed, without a
     * touch of the mapping. Deterministic on JDK 25, where a touch would throw here; on JDK 17 its error would be
     * raised later, maybe in another test, so the child case below checks the same close there.
     */
    @Test
    void shouldCloseAChannelWhoseHeaderIsGone() throws Exception
    {
        final int before = OpenChannelFiles.count();
        final Channel channel = Channel.open(dir, "headless", ChannelOptions.defaults().capacity(CAPACITY));
        assertTrue(channel.offer(1, new UnsafeBuffer(new byte[8]), 0, 8));
        assertEquals(1, channel.poll((typeId, buffer, offset, length) -> { }, 1));
        truncate(channel.file().path(), 0);
        channel.close();
        assertTrue(channel.isClosed());
        assertTrue(channel.file().isClosed());
        assertEquals(before, OpenChannelFiles.count());
    }

    /**
     * The call, which truncates the file to its header and throws {@code fault}, must throw a
     * {@link TruncatedChannelException} with that fault as its cause, naming the file and both lengths; then
     * {@code after} checks what is left, and the file is made whole again, for the channel's close.
     */
    private static void assertNamesTheTruncation(
        final Path file, final long length, final InternalError fault, final Executable call, final Runnable after)
        throws Exception
    {
        try
        {
            final TruncatedChannelException ex = assertThrows(TruncatedChannelException.class, call);
            assertSame(fault, ex.getCause());
            assertTrue(ex.getMessage().startsWith("channel file truncated after it was mapped: file=" + file +
                " length=" + ChannelFileDescriptor.FILE_HEADER_LENGTH + " mapped=" + length), ex.getMessage());
            after.run();
        }
        finally
        {
            truncate(file, length);
        }
    }

    /**
     * The crash reports a child left (its {@code -XX:ErrorFile}), for a failure's message: the test directory goes
     * with the test.
     */
    private String crashReports()
    {
        final StringBuilder reports = new StringBuilder();
        try (Stream<Path> files = Files.list(dir))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                if (file.getFileName().toString().startsWith("hs_err_"))
                {
                    reports.append("\n").append(file).append(":\n").append(Files.readString(file));
                }
            }
        }
        catch (final Exception ex)
        {
            reports.append("\n(crash reports not read: ").append(ex).append(')');
        }
        return reports.toString();
    }

    /**
     * The same close in a child JVM, on every JDK: where the JVM raises a fault late (JDK 17), a close that touched
     * the file would leave an error to surface after it, which the child's loop gives a place to surface, rather than
     * in some later test of this JVM.
     */
    @Test
    void shouldCloseAChannelWhoseHeaderIsGoneAndLeaveNoFaultBehind() throws Exception
    {
        final Path log = dir.resolve("headless.log");
        final Process child = TestJvm.start(HeadlessCloseProcess.class, log,
            new String[] {"-XX:ErrorFile=" + dir.resolve("hs_err_%p.log"), "-XX:-CreateCoredumpOnCrash"},
            dir.toString(), "headless-child");
        try
        {
            assertTrue(child.waitFor(PROCESS_TIMEOUT_S, TimeUnit.SECONDS), "child still running");
        }
        finally
        {
            child.destroyForcibly();
        }
        final String output = read(log);
        assertEquals(0, child.exitValue(), () -> output + crashReports());
        assertTrue(output.lines().anyMatch("clean"::equals), output);
    }

    private static void truncateQuietly(final Path file, final long length)
    {
        try
        {
            truncate(file, length);
        }
        catch (final Exception ex)
        {
            throw new AssertionError(ex);
        }
    }

    private static void sendAll(final Channel channel, final long count, final Process child, final Path log)
        throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(PROCESS_TIMEOUT_S);
        final UnsafeBuffer message = new UnsafeBuffer(new byte[TruncatedChannelProcess.MESSAGE_LENGTH]);
        for (long sequence = 0; sequence < count; )
        {
            if (System.nanoTime() > deadlineNs)
            {
                fail("child did not read message " + sequence + " in time: " + read(log));
            }
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
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(PROCESS_TIMEOUT_S);
        while (read[0] < count)
        {
            if (System.nanoTime() > deadlineNs)
            {
                fail("child did not send message " + read[0] + " in time: " + read(log));
            }
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

package io.conduit;

import io.conduit.file.ChannelFileDescriptor;
import io.conduit.file.ChannelOptions;
import io.conduit.ring.RingKind;
import io.conduit.wait.FutexWaitSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * One thread sleeping on several channels at once, woken by senders in another process.
 */
class ChannelSetTest
{
    @TempDir
    Path dir;

    @Test
    void shouldUseFutexWaitvOnThisKernel()
    {
        // the development and CI machines run Linux 5.16 or later; elsewhere the fallback is used and documented
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux"));
        assertTrue(FutexWaitSet.isNative());
    }

    @Test
    void shouldTimeOutWithNothingSent() throws Exception
    {
        try (Channel a = open("a"); Channel b = open("b"))
        {
            final ChannelSet set = new ChannelSet(a, b);
            final long startNs = System.nanoTime();
            assertEquals(0, set.receive((t, buf, o, l) -> fail(), 10, 30_000_000L));
            assertTrue(System.nanoTime() - startNs >= 30_000_000L);
        }
    }

    @Test
    void shouldReadInPriorityOrder() throws Exception
    {
        try (Channel high = open("high"); Channel low = open("low"))
        {
            final org.agrona.concurrent.UnsafeBuffer message = new org.agrona.concurrent.UnsafeBuffer(new byte[4]);
            assertTrue(low.offer(2, message, 0, 4));
            assertTrue(high.offer(1, message, 0, 4));
            final List<Integer> types = new ArrayList<>();
            assertEquals(2, new ChannelSet(high, low).poll((t, b, o, l) -> types.add(t), 10));
            assertEquals(List.of(1, 2), types);
        }
    }

    @Test
    void shouldWakeOnAnyChannelFromAnotherProcess() throws Exception
    {
        final int lanes = 3;
        final long perLane = 3_000;
        final long maxSleepNs = TimeUnit.SECONDS.toNanos(10);
        final Channel[] channels = new Channel[lanes];
        final List<Process> children = new ArrayList<>();
        try
        {
            for (int i = 0; i < lanes; i++)
            {
                channels[i] = Channel.open(dir, "lane" + i, ChannelOptions.defaults().kind(RingKind.SPSC)
                    .capacity(16 * 1024), 0, 0, maxSleepNs);
            }
            for (int i = 0; i < lanes; i++)
            {
                children.add(new ProcessBuilder(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"),
                    PausingSenderProcess.class.getName(), dir.toString(), "lane" + i, String.valueOf(perLane),
                    "400000")).redirectErrorStream(true).redirectOutput(dir.resolve("child" + i + ".log").toFile())
                    .start());
            }
            final ChannelSet set = new ChannelSet(channels);
            final long[] next = new long[lanes];
            long longestWaitNs = 0;
            long total = 0;
            boolean allStarted = false;
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (total < lanes * perLane)
            {
                assertTrue(System.nanoTime() < deadlineNs, "timed out at " + total);
                final long startNs = System.nanoTime();
                final int read = set.receive((t, b, o, l) ->
                {
                    final long sequence = b.getLong(o);
                    assertEquals(sequence * 0x9E3779B97F4A7C15L, b.getLong(o + 8), "checksum");
                    int from = -1;
                    for (int i = 0; i < lanes; i++)
                    {
                        if (next[i] == sequence && b == channels[i].ring().buffer())
                        {
                            from = i;
                        }
                    }
                    assertTrue(from >= 0, "sequence " + sequence + " in order on its lane");
                    next[from]++;
                }, 64, maxSleepNs);
                total += read;
                if (read > 0 && allStarted)
                {
                    // once every child has sent: before, a wait may include a JVM's start-up, not a wake-up
                    longestWaitNs = Math.max(longestWaitNs, System.nanoTime() - startNs);
                }
                allStarted = allStarted || Arrays.stream(next).allMatch(n -> n > 0);
            }
            for (final Process child : children)
            {
                assertTrue(child.waitFor(30, TimeUnit.SECONDS));
                assertEquals(0, child.exitValue());
            }
            for (int i = 0; i < lanes; i++)
            {
                assertEquals(perLane, next[i], "lane " + i);
            }
            assertTrue(longestWaitNs < TimeUnit.SECONDS.toNanos(2), "longest wait " + longestWaitNs + " ns");
        }
        finally
        {
            for (final Process child : children)
            {
                child.destroyForcibly();
            }
            for (final Channel channel : channels)
            {
                if (null != channel)
                {
                    channel.close();
                }
            }
        }
    }

    @Test
    void shouldThrowChannelClosedWhenAMemberIsClosedWhileReceiveSleeps() throws Exception
    {
        // a long sleep: only the close can end it within the test's wait
        final long maxSleepNs = TimeUnit.SECONDS.toNanos(60);
        try (Channel a = openSleeping("a", maxSleepNs); Channel b = openSleeping("b", maxSleepNs))
        {
            final ChannelSet set = new ChannelSet(a, b);
            final CompletableFuture<Object> outcome = new CompletableFuture<>();
            final Thread receiver = new Thread(() ->
            {
                try
                {
                    outcome.complete(set.receive((t, buf, o, l) -> fail("nothing was sent"), 10, maxSleepNs));
                }
                catch (final Throwable ex)
                {
                    outcome.complete(ex);
                }
            }, "set-receiver");
            receiver.start();
            ChannelTest.awaitSleeper(b, ChannelFileDescriptor.DATA_WAITERS_OFFSET);

            b.close(); // returns once the receiver has left: it may unmap only then

            final Object result = outcome.get(10, TimeUnit.SECONDS);
            assertInstanceOf(ChannelClosedException.class, result);
            assertTrue(((Throwable)result).getMessage().contains("name=b"), ((Throwable)result).getMessage());
            receiver.join(TimeUnit.SECONDS.toMillis(10));
            assertThrows(ChannelClosedException.class, () -> set.receive((t, buf, o, l) -> fail(), 10, 1_000_000L),
                "a set with a closed member refuses to wait on it");
        }
    }

    /**
     * The set's native futex_waitv sleeps through an interrupt; the set's receive ends at its next sleep instead,
     * as Channel's does: 0, the flag left set.
     */
    @Test
    void shouldEndReceiveOfAnInterruptedThreadAsItsTimeoutWould() throws Exception
    {
        final long timeoutNs = TimeUnit.HOURS.toNanos(1); // returning within the test's wait is the proof
        try (Channel a = openSleeping("a", timeoutNs); Channel b = openSleeping("b", timeoutNs))
        {
            final ChannelSet set = new ChannelSet(a, b);
            final String[] outcome = new String[1];
            final Thread receiver = new Thread(() ->
            {
                Thread.currentThread().interrupt();
                final int read = set.receive((t, buf, o, l) -> fail("nothing was sent"), 10, timeoutNs);
                outcome[0] = read + " " + Thread.currentThread().isInterrupted();
            });
            receiver.start();
            receiver.join(TimeUnit.SECONDS.toMillis(60));
            assertFalse(receiver.isAlive(), "receive of an interrupted thread still waiting");
            assertEquals("0 true", outcome[0], "read, flag still set");
        }
    }

    /** A channel that sleeps at once (no spins, no yields), at most {@code maxSleepNs} a sleep. */
    private Channel openSleeping(final String name, final long maxSleepNs) throws Exception
    {
        return Channel.open(dir, name, ChannelOptions.defaults().capacity(4096), 0, 0, maxSleepNs);
    }

    private Channel open(final String name) throws Exception
    {
        return Channel.open(dir, name, ChannelOptions.defaults().capacity(4096), 0, 0);
    }
}

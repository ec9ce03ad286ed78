package io.conduit;

import io.conduit.file.ChannelFileDescriptor;
import io.conduit.file.ChannelOptions;
import io.conduit.ring.RingKind;
import io.conduit.wait.AsymmetricFence;
import io.conduit.wait.Futex;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * No lost wake-up across processes: a child sends sequenced messages with random pauses to a receiver that always
 * sleeps in the kernel when the ring is empty (no spinning). The child sends each message only once the one before
 * has been read, so no later message's wake-up can rescue a receiver that missed one: with the receiver's sleeps
 * capped at 10 s, one lost wake-up shows as a wait of 10 s. Every wait must stay under 5 s, and every message arrive,
 * in order. Where a sleeper must bound its sleeps to 1 ms ({@link AsymmetricFence#mustBoundSleeps()}) that cap does
 * not hold, and the wait is not judged.
 */
class FutexCrossProcessWakeTest
{
    @TempDir
    Path dir;

    @Test
    void shouldWakeForEveryMessageFromAnotherProcess() throws Exception
    {
        run(RingKind.SPSC, 5_000);
    }

    @Test
    void shouldWakeForEveryMessageFromAnotherProcessMpsc() throws Exception
    {
        run(RingKind.MPSC, 5_000);
    }

    @Test
    void shouldWakeForEveryMessageFromAFencingProducer() throws Exception
    {
        run(RingKind.MPSC, 3_000, "-Dconduit.wait.membarrier.disabled=true");
    }

    /**
     * A producer on the park/poll fallback (forced here by {@code conduit.wait.futex.disabled}; in the field, JNA that
     * cannot load) changes the futex word but makes no FUTEX_WAKE. This receiver sleeps in the kernel, 10 s at most
     * a time: it wakes for every message within a bounded sleep all the same, since the producer's attach set the
     * channel's deaf-wakers flag. Without the flag, each message after a sleep waited the whole 10 s.
     */
    @Test
    void shouldWakeForEveryMessageFromAProducerWithoutTheNativeFutex() throws Exception
    {
        assumeAMissedWakeShows();
        final long maxSleepNs = TimeUnit.SECONDS.toNanos(10);
        final int count = 200;
        try (Channel channel = Channel.open(
            dir, "deaf", ChannelOptions.defaults().kind(RingKind.SPSC).capacity(64 * 1024), 0, 0, maxSleepNs))
        {
            final Process child = PausingSenderProcess.start(dir, "deaf", count, 200_000, true, dir.resolve("deaf.log"),
                "-Dconduit.wait.futex.disabled=true");
            try
            {
                final long[] next = {0};
                final long startUpDeadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (0 == next[0])
                {
                    assertTrue(System.nanoTime() < startUpDeadlineNs && (child.isAlive() || 0 == child.exitValue()),
                        "no first message from the child");
                    channel.receive((t, b, o, l) -> next[0]++, 1, TimeUnit.MILLISECONDS.toNanos(100));
                }
                assertEquals(
                    1, channel.file().headerBuffer().getIntVolatile(ChannelFileDescriptor.DATA_DEAF_WAKERS_OFFSET),
                    "the fallback producer's attach marks the channel");
                while (next[0] < count)
                {
                    final long startNs = System.nanoTime();
                    final long before = next[0];
                    channel.receive((t, b, o, l) ->
                    {
                        assertEquals(next[0], b.getLong(o), "in order, none lost or repeated");
                        next[0]++;
                    }, 256, maxSleepNs);
                    final long waitNs = System.nanoTime() - startNs;
                    // a wake-up missed sleeps the whole 10 s; 5 s leaves a stalled VM room
                    assertTrue(waitNs < TimeUnit.SECONDS.toNanos(5), "waited " + waitNs + " ns for message " + before);
                    assertTrue(next[0] > before || child.isAlive(), "the child exited with " +
                        (child.isAlive() ? "-" : child.exitValue()) + " at message " + before);
                }
                assertTrue(child.waitFor(30, TimeUnit.SECONDS));
                assertEquals(0, child.exitValue());
            }
            finally
            {
                child.destroyForcibly();
            }
        }
    }

    @Test
    @Tag("slow")
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void shouldWakeForAMillionMessagesFromAnotherProcess() throws Exception
    {
        run(RingKind.SPSC, 1_000_000);
    }

    private void run(final RingKind kind, final long count, final String... childProperties) throws Exception
    {
        final long maxSleepNs = TimeUnit.SECONDS.toNanos(10);
        try (Channel channel = Channel.open(
            dir, "wake", ChannelOptions.defaults().kind(kind).capacity(64 * 1024), 0, 0, maxSleepNs))
        {
            final Process child = PausingSenderProcess.start(
                dir, "wake", count, 200_000, true, dir.resolve("child.log"), childProperties);
            try
            {
                final long[] next = {0};
                long longestWaitNs = 0;
                // a guard against a hang, not a speed limit (a loaded machine may take a few ms a message): a lost
                // wake-up costs one capped sleep, judged below; three of them in a row with nothing read is a hang
                final long stallNs = 3 * maxSleepNs + TimeUnit.SECONDS.toNanos(30); // the first: the child's start-up
                long progressNs = System.nanoTime();
                while (next[0] < count)
                {
                    assertTrue(System.nanoTime() - progressNs < stallNs, "nothing read for " + stallNs +
                        " ns at " + next[0]);
                    final long startNs = System.nanoTime();
                    final long before = next[0];
                    final int read = channel.receive((t, b, o, l) ->
                    {
                        final long sequence = b.getLong(o);
                        assertEquals(next[0], sequence, "in order, none lost or repeated");
                        assertEquals(sequence * 0x9E3779B97F4A7C15L, b.getLong(o + 8), "checksum");
                        next[0]++;
                    }, 256, maxSleepNs);
                    if (read > 0)
                    {
                        progressNs = System.nanoTime();
                    }
                    if (read > 0 && before > 0)
                    {
                        // from the second message: the first wait includes the child JVM's start-up
                        longestWaitNs = Math.max(longestWaitNs, System.nanoTime() - startNs);
                    }
                    else if (!child.isAlive() && 0 != child.exitValue())
                    {
                        fail("sender exited with " + child.exitValue());
                    }
                }
                assertTrue(child.waitFor(30, TimeUnit.SECONDS));
                assertEquals(0, child.exitValue());
                assertEquals(count, next[0]);
                final long wakeUps =
                    channel.file().headerBuffer().getLongVolatile(ChannelFileDescriptor.DATA_WAKE_UPS_OFFSET);
                assertTrue(wakeUps > count / 10, "the receiver really slept: wake-ups=" + wakeUps);
                // where sleeps must be bounded (AsymmetricFence) they last 1 ms, so a lost wake-up would not show
                assumeFalse(AsymmetricFence.mustBoundSleeps(), "sleeps bounded to 1 ms: the 10 s cap does not hold");
                // a lost wake-up sleeps the whole 10 s cap; 5 s leaves a stalled VM or a GC pause room
                assertTrue(longestWaitNs < TimeUnit.SECONDS.toNanos(5), "longest wait " + longestWaitNs + " ns");
            }
            finally
            {
                child.destroyForcibly();
            }
        }
    }

    /**
     * Skip where a wake-up missed across processes would not show: this process sleeps on the fallback too, or its
     * sleeps are bounded to 1 ms anyway.
     */
    static void assumeAMissedWakeShows()
    {
        assumeTrue(Futex.isNative(), "this process sleeps on the fallback too: " + Futex.unavailableReason());
        assumeFalse(AsymmetricFence.mustBoundSleeps(), "sleeps bounded to 1 ms anyway: a missing wake would not show");
    }
}

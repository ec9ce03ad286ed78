package io.conduit;

import io.conduit.file.ChannelFileDescriptor;
import io.conduit.file.ChannelOptions;
import io.conduit.ring.RingKind;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * No lost wake-up across processes: a child sends sequenced messages with random pauses to a receiver that always
 * sleeps in the kernel when the ring is empty (no spinning). The receiver's sleeps are capped at 10 s, so one lost
 * wake-up would show as a wait of 10 s; every wait must stay under 2 s, and every message arrive, in order.
 */
class FutexCrossProcessWakeTest
{
    @TempDir
    Path dir;

    @Test
    void shouldWakeForEveryMessageFromAnotherProcess() throws Exception
    {
        run(RingKind.SPSC, 20_000);
    }

    @Test
    void shouldWakeForEveryMessageFromAnotherProcessMpsc() throws Exception
    {
        run(RingKind.MPSC, 20_000);
    }

    @Test
    void shouldWakeForEveryMessageFromAFencingProducer() throws Exception
    {
        run(RingKind.MPSC, 10_000, "-Dconduit.wait.membarrier.disabled=true");
    }

    @Test
    @Tag("slow")
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
            final List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path")));
            command.addAll(List.of(childProperties));
            command.addAll(List.of(
                PausingSenderProcess.class.getName(), dir.toString(), "wake", String.valueOf(count), "200000"));
            final Process child = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
            try
            {
                final long[] next = {0};
                long longestWaitNs = 0;
                final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20 + count / 5_000);
                while (next[0] < count)
                {
                    assertTrue(System.nanoTime() < deadlineNs, "timed out at " + next[0]);
                    final long startNs = System.nanoTime();
                    final long before = next[0];
                    final int read = channel.receive((t, b, o, l) ->
                    {
                        final long sequence = b.getLong(o);
                        assertEquals(next[0], sequence, "in order, none lost or repeated");
                        assertEquals(sequence * 0x9E3779B97F4A7C15L, b.getLong(o + 8), "checksum");
                        next[0]++;
                    }, 256, maxSleepNs);
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
                assertTrue(longestWaitNs < TimeUnit.SECONDS.toNanos(2), "longest wait " + longestWaitNs + " ns");
                final long wakeUps =
                    channel.file().headerBuffer().getLongVolatile(ChannelFileDescriptor.DATA_WAKE_UPS_OFFSET);
                assertTrue(wakeUps > count / 10, "the receiver really slept: wake-ups=" + wakeUps);
            }
            finally
            {
                child.destroyForcibly();
            }
        }
    }
}

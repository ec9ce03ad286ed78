package io.conduit;

import io.conduit.file.ChannelOptions;
import io.conduit.ring.RecordDescriptor;
import io.conduit.ring.RingKind;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static io.conduit.file.ChannelFileDescriptor.MESSAGES_RECEIVED_OFFSET;
import static io.conduit.file.ChannelFileDescriptor.SPACE_DEAF_WAKERS_OFFSET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No lost wake-up for space across processes from a consumer on the park/poll fallback (forced in the child by
 * {@code conduit.wait.futex.disabled}; in the field, JNA that cannot load): it frees space and changes the space futex
 * word, but makes no FUTEX_WAKE. This process sends into a ring the child keeps full, with no spins or yields and its
 * sleeps capped at 10 s, so every send that finds the ring full sleeps in the kernel; the child frees a few messages
 * at a time, each time only once this sender is asleep again, and checks every message's sequence and checksum. The
 * consumer's attach set the channel's space deaf-wakers flag, so the sender sleeps 1 ms at a time and each wait ends
 * within a few ms of the step that frees space: every wait must be under 5 s and the fastest under 100 ms. Without
 * the flag (a sender that does not heed it, or a consumer that does not set it), the first wait took the whole 10 s.
 */
class FutexCrossProcessSpaceWakeTest
{
    private static final int CAPACITY = 4096;
    private static final int MESSAGE_LENGTH = 16;

    @TempDir
    Path dir;

    @Test
    void shouldWakeASenderAsleepForSpaceFromAConsumerWithoutTheNativeFutex() throws Exception
    {
        FutexCrossProcessWakeTest.assumeAMissedWakeShows();
        final long maxSleepNs = TimeUnit.SECONDS.toNanos(10);
        final long count = 1_000;
        final int step = 4;
        try (Channel channel = Channel.open(
            dir, "space", ChannelOptions.defaults().kind(RingKind.SPSC).capacity(CAPACITY), 0, 0, maxSleepNs))
        {
            final Path log = dir.resolve("space.log");
            final Process child = SteppingReceiverProcess.start(
                dir, "space", count, step, log, "-Dconduit.wait.futex.disabled=true");
            try
            {
                final AtomicBuffer header = channel.file().headerBuffer();
                final UnsafeBuffer message = new UnsafeBuffer(new byte[MESSAGE_LENGTH]);
                assertTrue(channel.offer(1, sequenced(message, 0), 0, MESSAGE_LENGTH));
                // read before the ring fills: a sender asleep before the flag is set would sleep its whole 10 s
                final long startUpDeadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (0 == header.getLongVolatile(MESSAGES_RECEIVED_OFFSET))
                {
                    assertTrue(System.nanoTime() < startUpDeadlineNs && child.isAlive(),
                        () -> "the child did not read the first message; " + describe(child, log));
                    Thread.sleep(1);
                }
                assertEquals(1, header.getIntVolatile(SPACE_DEAF_WAKERS_OFFSET),
                    "the fallback consumer's attach marks the channel");

                int waits = 0;
                long fastestWaitNs = Long.MAX_VALUE;
                for (long sequence = 1; sequence < count; sequence++)
                {
                    if (channel.offer(1, sequenced(message, sequence), 0, MESSAGE_LENGTH))
                    {
                        continue;
                    }
                    final long startNs = System.nanoTime();
                    final boolean sent = channel.send(1, message, 0, MESSAGE_LENGTH, TimeUnit.SECONDS.toNanos(30));
                    final long waitNs = System.nanoTime() - startNs;
                    final long failedAt = sequence;
                    assertTrue(sent, () -> "no space for message " + failedAt + "; " + describe(child, log));
                    // a wake-up missed sleeps the whole 10 s; 5 s leaves a stalled VM room
                    assertTrue(waitNs < TimeUnit.SECONDS.toNanos(5),
                        "waited " + waitNs + " ns for space for message " + sequence);
                    fastestWaitNs = Math.min(fastestWaitNs, waitNs);
                    waits++;
                }
                assertTrue(child.waitFor(30, TimeUnit.SECONDS), () -> "the child did not end; " + describe(child, log));
                assertEquals(0, child.exitValue(), () -> describe(child, log));
                assertEquals(count, header.getLongVolatile(MESSAGES_RECEIVED_OFFSET), "messages received");
                assertEquals(channel.ring().tailPosition(), channel.ring().headPosition(), "all read");
                // once the ring has filled, the child frees a step only while this sender is asleep: about a wait a
                // step (one or two fewer where the ring held a message or two fewer than its lines, or the child's
                // first step came before the first sleep); half of that still shows the sender slept again and again
                final int ringMessages = CAPACITY / RecordDescriptor.alignedLength(
                    RecordDescriptor.HEADER_LENGTH + MESSAGE_LENGTH);
                assertTrue(waits >= (count - ringMessages) / step / 2, "waits for space: " + waits);
                assertTrue(fastestWaitNs < TimeUnit.MILLISECONDS.toNanos(100), "fastest wait " + fastestWaitNs + " ns");
            }
            finally
            {
                child.destroyForcibly();
            }
        }
    }

    private static UnsafeBuffer sequenced(final UnsafeBuffer message, final long sequence)
    {
        message.putLong(0, sequence);
        message.putLong(8, sequence * 0x9E3779B97F4A7C15L);
        return message;
    }

    private static String describe(final Process child, final Path log)
    {
        String output;
        try
        {
            output = Files.readString(log);
        }
        catch (final IOException ex)
        {
            output = "unreadable: " + ex;
        }
        return "child " + (child.isAlive() ? "alive" : "exit=" + child.exitValue()) + ", output:\n" + output;
    }
}

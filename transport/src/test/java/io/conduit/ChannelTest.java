package io.conduit;

import io.conduit.file.ChannelFileDescriptor;
import io.conduit.file.ChannelOptions;
import io.conduit.ring.RingKind;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Blocking receive and send on a channel, with futex sleeps in one process.
 */
class ChannelTest
{
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(RingKind.class)
    void shouldTimeOutCleanlyWhenNothingIsSent(final RingKind kind) throws Exception
    {
        try (Channel channel = Channel.open(dir, "idle", ChannelOptions.defaults().kind(kind).capacity(4096), 0, 0))
        {
            final long startNs = System.nanoTime();
            assertEquals(0, channel.receive((t, b, o, l) -> fail("nothing was sent"), 10, 50_000_000L));
            assertTrue(System.nanoTime() - startNs >= 50_000_000L);
        }
    }

    @ParameterizedTest
    @EnumSource(RingKind.class)
    void shouldWakeSleepingReceiverOnCommit(final RingKind kind) throws Exception
    {
        try (Channel channel = Channel.open(dir, "wake", ChannelOptions.defaults().kind(kind).capacity(4096), 0, 0))
        {
            final AtomicLong received = new AtomicLong(-1);
            final CountDownLatch started = new CountDownLatch(1);
            final Thread receiver = new Thread(() ->
            {
                started.countDown();
                channel.receive((t, b, o, l) -> received.set(b.getLong(o)), 1, TimeUnit.SECONDS.toNanos(30));
            });
            receiver.start();
            started.await();
            awaitSleeper(channel, ChannelFileDescriptor.DATA_WAITERS_OFFSET);
            final UnsafeBuffer message = new UnsafeBuffer(new byte[8]);
            message.putLong(0, 77);
            assertTrue(channel.offer(1, message, 0, 8));
            receiver.join(10_000);
            assertFalse(receiver.isAlive());
            assertEquals(77, received.get());
            assertEquals(1, channel.file().headerBuffer().getLongVolatile(ChannelFileDescriptor.DATA_WAKE_UPS_OFFSET));
        }
    }

    @Test
    void shouldWakeSleepersWithChannelClosedOnClose() throws Exception
    {
        final Channel channel = Channel.open(dir, "close", ChannelOptions.defaults().capacity(4096), 0, 0);
        final AtomicReference<Throwable> thrown = new AtomicReference<>();
        final Thread receiver = new Thread(() ->
        {
            try
            {
                channel.receive((t, b, o, l) -> { }, 1, TimeUnit.SECONDS.toNanos(60));
            }
            catch (final Throwable t)
            {
                thrown.set(t);
            }
        });
        receiver.start();
        awaitSleeper(channel, ChannelFileDescriptor.DATA_WAITERS_OFFSET);
        final long startNs = System.nanoTime();
        channel.close();
        receiver.join(10_000);
        assertFalse(receiver.isAlive());
        assertTrue(System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(10));
        assertInstanceOf(ChannelClosedException.class, thrown.get());
        assertTrue(channel.isClosed());
        assertThrows(ChannelClosedException.class, () -> channel.receive((t, b, o, l) -> { }, 1, 1));
    }

    @ParameterizedTest
    @EnumSource(RingKind.class)
    void shouldBlockSendOnFullRingUntilReceiverFreesSpace(final RingKind kind) throws Exception
    {
        try (Channel channel = Channel.open(dir, "full", ChannelOptions.defaults().kind(kind).capacity(4096), 0, 0))
        {
            final UnsafeBuffer message = new UnsafeBuffer(new byte[64]);
            long sent = 0;
            while (channel.offer(1, message, 0, 64))
            {
                message.putLong(0, ++sent);
            }
            assertFalse(channel.send(1, message, 0, 64, 20_000_000L), "times out while full");
            final long total = sent + 200;
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Thread sender = new Thread(() ->
            {
                try
                {
                    for (long i = sent0(message); i <= total; i++)
                    {
                        message.putLong(0, i);
                        assertTrue(channel.send(1, message, 0, 64, TimeUnit.SECONDS.toNanos(30)));
                    }
                }
                catch (final Throwable t)
                {
                    failure.set(t);
                }
            });
            sender.start();
            awaitSleeper(channel, ChannelFileDescriptor.SPACE_WAITERS_OFFSET);
            final long[] next = {0};
            while (next[0] <= total && null == failure.get())
            {
                channel.receive((t, b, o, l) -> assertEquals(next[0]++, b.getLong(o)), 3,
                    TimeUnit.SECONDS.toNanos(10));
            }
            sender.join(10_000);
            assertNull(failure.get());
            assertEquals(total + 1, next[0]);
            assertTrue(channel.file().headerBuffer().getLongVolatile(ChannelFileDescriptor.SPACE_WAKE_UPS_OFFSET) > 0);
        }
    }

    @Test
    void shouldSleepInTheKernelRatherThanSpinWhileIdle() throws Exception
    {
        try (Channel channel = Channel.open(dir, "cpu", ChannelOptions.defaults().capacity(4096), 0, 0))
        {
            final Thread receiver = new Thread(() ->
            {
                try
                {
                    channel.receive((t, b, o, l) -> { }, 1, TimeUnit.SECONDS.toNanos(60));
                }
                catch (final ChannelClosedException ignore)
                {
                    // closed at the end of the test
                }
            });
            receiver.start();
            awaitSleeper(channel, ChannelFileDescriptor.DATA_WAITERS_OFFSET);
            final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            final long cpuBeforeNs = threads.getThreadCpuTime(receiver.getId());
            final long wallBeforeNs = System.nanoTime();
            Thread.sleep(1_000);
            final long cpuNs = threads.getThreadCpuTime(receiver.getId()) - cpuBeforeNs;
            final long wallNs = System.nanoTime() - wallBeforeNs;
            // Not a benchmark (the harness's --idle-seconds 60 measures the cost): a spinning or yielding receiver
            // burns most of a core, a sleeping one next to nothing, so 10% tells the two apart on any machine.
            assertTrue(cpuNs < wallNs / 10, "idle receiver used " + (100.0 * cpuNs / wallNs) + "% of a core");
            // still (or, between two bounded sleeps of the 1 s default, again) announced as a sleeper
            awaitSleeper(channel, ChannelFileDescriptor.DATA_WAITERS_OFFSET);
            channel.close();
            receiver.join(10_000);
        }
    }

    private static long sent0(final UnsafeBuffer message)
    {
        return message.getLong(0);
    }

    static void awaitSleeper(final Channel channel, final int waitersOffset) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (0 == channel.file().headerBuffer().getIntVolatile(waitersOffset))
        {
            assertTrue(System.nanoTime() < deadlineNs, "no sleeper announced");
            Thread.sleep(1);
        }
    }
}

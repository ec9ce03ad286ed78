package io.conduit;

import io.conduit.file.ChannelFileDescriptor;
import io.conduit.file.ChannelOptions;
import io.conduit.ring.RingKind;
import io.conduit.wait.AsymmetricFence;
import io.conduit.wait.CpuClock;
import io.conduit.wait.Futex;
import io.conduit.wait.KernelSleepers;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
            final boolean inKernel =
                Futex.isNative() && !AsymmetricFence.mustBoundSleeps() && KernelSleepers.isSupported();
            if (inKernel)
            {
                // announced is not yet asleep: a receiver still to check the ring would find the message itself and
                // return unwoken, with no wake-up counted
                KernelSleepers.awaitSleeper(ProcessHandle.current().pid(), channel.file().headerBuffer()
                    .addressOffset() + ChannelFileDescriptor.DATA_FUTEX_WORD_OFFSET, TimeUnit.SECONDS.toNanos(10));
            }
            final UnsafeBuffer message = new UnsafeBuffer(new byte[8]);
            message.putLong(0, 77);
            assertTrue(channel.offer(1, message, 0, 8));
            receiver.join(10_000);
            assertFalse(receiver.isAlive());
            assertEquals(77, received.get());
            final long wakeUps =
                channel.file().headerBuffer().getLongVolatile(ChannelFileDescriptor.DATA_WAKE_UPS_OFFSET);
            // seen asleep in the kernel, the receiver needed the wake-up; only announced, it may have found the message
            assertTrue(inKernel ? 1 == wakeUps : wakeUps <= 1, "wake-ups=" + wakeUps);
        }
    }

    /**
     * A close waits for a receive whose handler is still running: it pauses between its wake-up calls rather than
     * spinning a core on them (each of which would wake every sleeper of the channel) for the handler's 300 ms, also
     * when the closing thread is interrupted (a park returns at once while the flag is set), whose flag it then keeps.
     * CPU time is never more than wall time, so a loaded machine cannot fail this; a spinning close takes most of
     * 300 ms.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldNotSpinWhileCloseWaitsForAHandler(final boolean interrupted) throws Exception
    {
        assumeTrue(CpuClock.UNAVAILABLE != CpuClock.currentThreadCpuTimeNs(), "no thread CPU clock here");
        final Channel channel = Channel.open(dir, "close-handler", ChannelOptions.defaults().capacity(4096), 0, 0);
        final UnsafeBuffer message = new UnsafeBuffer(new byte[8]);
        assertTrue(channel.offer(1, message, 0, 8));
        final CountDownLatch inHandler = new CountDownLatch(1);
        final CountDownLatch closing = new CountDownLatch(1);
        final AtomicReference<Throwable> thrown = new AtomicReference<>();
        final Thread receiver = new Thread(() ->
        {
            try
            {
                channel.receive((t, b, o, l) ->
                {
                    inHandler.countDown();
                    // the 300 ms start when the close does, so the close waits at least that long by construction
                    try
                    {
                        closing.await(10, TimeUnit.SECONDS);
                    }
                    catch (final InterruptedException ex)
                    {
                        Thread.currentThread().interrupt();
                    }
                    final long endNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
                    for (long leftNs; (leftNs = endNs - System.nanoTime()) > 0; )
                    {
                        LockSupport.parkNanos(leftNs); // may return early: parks again for what is left
                    }
                }, 1, TimeUnit.SECONDS.toNanos(60));
            }
            catch (final Throwable t)
            {
                thrown.set(t);
            }
        });
        receiver.start();
        final long cpuNs;
        final long wallNs;
        final boolean flagAfter;
        try
        {
            assertTrue(inHandler.await(10, TimeUnit.SECONDS), "the handler never ran");
        }
        finally
        {
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
            final long startWallNs = System.nanoTime();
            final long startCpuNs = CpuClock.currentThreadCpuTimeNs();
            closing.countDown();
            channel.close();
            cpuNs = CpuClock.currentThreadCpuTimeNs() - startCpuNs;
            wallNs = System.nanoTime() - startWallNs;
            flagAfter = Thread.interrupted(); // and cleared, for the rest of the test
        }
        receiver.join(10_000);
        assertFalse(receiver.isAlive());
        assertNull(thrown.get(), "the receive whose handler ran returns normally");
        assertTrue(channel.isClosed());
        assertEquals(interrupted, flagAfter, "the closing thread's interrupt flag as it was");
        assertTrue(wallNs >= TimeUnit.MILLISECONDS.toNanos(300), "close waited " + wallNs + " ns for the handler");
        assertTrue(cpuNs < TimeUnit.MILLISECONDS.toNanos(60), "close used " + cpuNs + " ns of CPU in " + wallNs +
            " ns while the handler ran");
    }

    @Test
    void shouldHoldTheAttemptCountAtItsMostSoAVeryLongCallSleepsOn()
    {
        assertEquals(2, Channel.nextAttempt(1));
        assertEquals(Integer.MAX_VALUE, Channel.nextAttempt(Integer.MAX_VALUE - 1));
        assertEquals(Integer.MAX_VALUE, Channel.nextAttempt(Integer.MAX_VALUE)); // not negative: spinning again
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
        final long startNs;
        try
        {
            awaitSleeper(channel, ChannelFileDescriptor.DATA_WAITERS_OFFSET);
        }
        finally
        {
            startNs = System.nanoTime();
            channel.close(); // also when the wait failed: the sleeper must not outlive the test
        }
        receiver.join(10_000);
        assertFalse(receiver.isAlive());
        assertTrue(System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(10));
        assertInstanceOf(ChannelClosedException.class, thrown.get());
        assertTrue(channel.isClosed());
        assertThrows(ChannelClosedException.class, () -> channel.receive((t, b, o, l) -> { }, 1, 1));
    }

    /**
     * After close the ring's memory is unmapped: the non-blocking calls must throw, not touch it (a JVM crash).
     */
    @ParameterizedTest
    @EnumSource(RingKind.class)
    void shouldRefuseNonBlockingCallsOnAClosedChannel(final RingKind kind) throws Exception
    {
        final Channel channel = Channel.open(dir, "closed", ChannelOptions.defaults().kind(kind).capacity(4096));
        final UnsafeBuffer message = new UnsafeBuffer(new byte[8]);
        assertTrue(channel.offer(1, message, 0, 8));
        channel.close();
        assertThrows(ChannelClosedException.class, () -> channel.offer(1, message, 0, 8));
        assertThrows(ChannelClosedException.class, () -> channel.poll((t, b, o, l) -> fail("closed"), 10));
        assertThrows(ChannelClosedException.class, () -> channel.send(1, message, 0, 8, 1));
        assertThrows(ChannelClosedException.class,
            () -> new ChannelSet(channel).poll((t, b, o, l) -> fail("closed"), 10));
    }

    /**
     * A handler that closes its own channel, inside poll or receive: close throws IllegalStateException and leaves the
     * channel open. Before, close from a poll handler unmapped the ring under the read, which then loaded the next
     * header and stored the head in unmapped memory (a JVM crash, SIGSEGV in Unsafe_GetLongVolatile, exit 134), and
     * close from a receive handler waited for its own call to leave. The rest of the batch is still read, every message
     * once and in order, and a close after the call returns works.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldRefuseACloseFromTheChannelsOwnHandlerAndStayOpen(final boolean blocking) throws Exception
    {
        final Channel channel = Channel.open(dir, "self-close", ChannelOptions.defaults().capacity(4096));
        final UnsafeBuffer message = new UnsafeBuffer(new byte[8]);
        for (int i = 0; i < 3; i++)
        {
            message.putLong(0, i);
            assertTrue(channel.offer(1, message, 0, 8));
        }
        final List<Long> read = new ArrayList<>();
        final List<Throwable> refused = new ArrayList<>();
        final MessageHandler handler = (t, b, o, l) ->
        {
            read.add(b.getLong(o));
            try
            {
                channel.close();
            }
            catch (final IllegalStateException ex)
            {
                refused.add(ex);
            }
        };
        assertEquals(3, blocking ?
            channel.receive(handler, 10, TimeUnit.SECONDS.toNanos(5)) : channel.poll(handler, 10));

        assertEquals(List.of(0L, 1L, 2L), read);
        assertEquals(3, refused.size());
        assertEquals("close() called from a handler of this channel's own poll or receive, channel=self-close: close " +
            "it after the call returns", refused.get(0).getMessage());
        assertFalse(channel.isClosed());
        assertTrue(channel.offer(1, message, 0, 8), "still open, still mapped");
        assertEquals(1, channel.poll((t, b, o, l) -> read.add(b.getLong(o)), 10));
        channel.close();
        assertTrue(channel.isClosed());
    }

    /**
     * docs/RINGS.md: a handler must not poll its own channel. The nested poll is refused (IllegalStateException),
     * delivers nothing, and every message is delivered once, in order.
     */
    @Test
    void shouldRefuseAPollFromTheChannelsOwnHandler() throws Exception
    {
        try (Channel channel = Channel.open(dir, "self-poll", ChannelOptions.defaults().capacity(4096)))
        {
            final UnsafeBuffer message = new UnsafeBuffer(new byte[8]);
            for (int i = 0; i < 3; i++)
            {
                message.putLong(0, i);
                assertTrue(channel.offer(1, message, 0, 8));
            }
            final List<Long> read = new ArrayList<>();
            final List<String> refused = new ArrayList<>();
            assertEquals(2, channel.poll((t, b, o, l) ->
            {
                read.add(b.getLong(o));
                refused.add(assertThrows(IllegalStateException.class,
                    () -> channel.poll((t2, b2, o2, l2) -> read.add(-1L), 10)).getMessage());
            }, 2));
            assertEquals(1, channel.poll((t, b, o, l) -> read.add(b.getLong(o)), 10));

            assertEquals(List.of(0L, 1L, 2L), read);
            assertEquals(2, refused.size());
            assertTrue(refused.get(0).contains("from inside a handler of this ring's own read"), refused.get(0));
        }
    }

    /**
     * A read of at most 0 messages would find a waiting message, not sleep, and read nothing: a receive would spin
     * to its deadline. Refused, as is a missing handler, before anything is read.
     */
    @Test
    void shouldRefuseAReadLimitBelowOneAndANullHandler() throws Exception
    {
        try (Channel channel = Channel.open(dir, "limits", ChannelOptions.defaults().capacity(4096)))
        {
            assertTrue(channel.offer(1, new UnsafeBuffer(new byte[8]), 0, 8));
            final ChannelSet set = new ChannelSet(channel);
            final MessageHandler handler = (t, b, o, l) -> { };
            for (final int limit : new int[] {0, -1, Integer.MIN_VALUE})
            {
                final String expected = "limit=" + limit + " expected >= 1";
                assertEquals(expected, assertThrows(IllegalArgumentException.class,
                    () -> channel.receive(handler, limit, Long.MAX_VALUE)).getMessage());
                assertEquals(expected, assertThrows(IllegalArgumentException.class,
                    () -> channel.poll(handler, limit)).getMessage());
                assertEquals(expected, assertThrows(IllegalArgumentException.class,
                    () -> set.receive(handler, limit, Long.MAX_VALUE)).getMessage());
                assertEquals(expected, assertThrows(IllegalArgumentException.class,
                    () -> set.poll(handler, limit)).getMessage());
            }
            assertThrows(NullPointerException.class, () -> channel.receive(null, 1, 1));
            assertThrows(NullPointerException.class, () -> set.poll(null, 1));
            assertEquals(1, channel.receive(handler, 1, 1), "the message is still there");
        }
    }

    @Test
    void shouldRefuseSpinsAndYieldsThatOverflowTogether()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> Channel.open(
            dir, "spins", ChannelOptions.defaults(), 10, Integer.MAX_VALUE, 1_000_000L));
        assertTrue(ex.getMessage().contains("spins + yields < " + Integer.MAX_VALUE), ex.getMessage());
    }

    /**
     * Channel.open closes the channel file if building the channel throws, so a failed open leaves no file mapped and
     * counted open. Nothing in a sound file makes the build throw, so a child JVM is started with a bad
     * {@code conduit.wait.fallback.min.park.ns}: the futex class, first initialised by the channel's waiters, fails,
     * and the child reports the error, from the constructor, with no channel file left open. The file it created is
     * sound: this process opens it and sends through it.
     */
    @Test
    void shouldCloseTheChannelFileWhenBuildingTheChannelThrows() throws Exception
    {
        final Path log = dir.resolve("failing-open.log");
        final Process child = TestJvm.start(FailingChannelOpenProcess.class, log,
            new String[] {"-D" + Futex.FALLBACK_MIN_PARK_NS_PROP_NAME + "=oops"}, dir.toString(), "failing");
        try
        {
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child did not exit within 30 s");
        }
        finally
        {
            child.destroyForcibly();
        }
        final String output = Files.readString(log);
        assertEquals(0, child.exitValue(), output);
        // the child's report only: a JVM may add warnings of its own to the log
        assertEquals(List.of("THREW java.lang.ExceptionInInitializerError building=true suppressed=0", "OPEN_FILES 0"),
            output.lines().filter(line -> line.startsWith("THREW ") || line.startsWith("OPEN_FILES ")).toList(),
            output);

        assertTrue(Files.exists(dir.resolve("failing" + io.conduit.file.ChannelFile.SUFFIX)), "no file was made");
        try (Channel channel = Channel.open(dir, "failing", ChannelOptions.defaults(), 0, 0))
        {
            final UnsafeBuffer message = new UnsafeBuffer(new byte[8]);
            assertTrue(channel.offer(1, message, 0, 8));
            assertEquals(1, channel.poll((t, b, o, l) -> { }, 10));
        }
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
        // sleeps of up to 60 s: announced from the first to the close, without a gap between two bounded sleeps
        try (Channel channel = Channel.open(dir, "cpu", ChannelOptions.defaults().capacity(4096), 0, 0,
            TimeUnit.SECONDS.toNanos(60)))
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
            assertStaysAsleep(channel, "idle receiver");
            channel.close();
            receiver.join(10_000);
        }
    }

    /**
     * An MPSC claim's mark at the head is not a message: the receiver must sleep until the commit, not spin on the
     * mark (it used to find "the head is written", skip its sleep, read nothing, and go round again).
     */
    @Test
    void shouldSleepRatherThanSpinWhileAClaimIsOpenAtTheHead() throws Exception
    {
        try (Channel channel = Channel.open(dir, "claim", ChannelOptions.defaults().kind(RingKind.MPSC)
            .capacity(4096), 0, 0, TimeUnit.SECONDS.toNanos(60)))
        {
            final int claim = channel.ring().tryClaim(1, 8);
            assertTrue(claim > 0);
            final AtomicLong received = new AtomicLong();
            final Thread receiver = new Thread(() -> received.addAndGet(
                channel.receive((t, b, o, l) -> received.set(b.getLong(o) << 8), 10, TimeUnit.SECONDS.toNanos(60))));
            receiver.start();
            awaitSleeper(channel, ChannelFileDescriptor.DATA_WAITERS_OFFSET);
            assertStaysAsleep(channel, "receiver waiting on an open claim");

            channel.ring().buffer().putLong(claim, 42);
            channel.ring().commit(claim);
            receiver.join(10_000);
            assertFalse(receiver.isAlive(), "the commit did not wake the receiver");
            assertEquals((42L << 8) + 1, received.get(), "the message, once");
        }
    }

    /**
     * A thread whose interrupt flag is set cannot sleep (the wait returns at once), so a blocking call used to spin
     * to its deadline. It now ends as its timeout would, the flag left set.
     */
    @ParameterizedTest
    @EnumSource(RingKind.class)
    void shouldEndBlockingCallsOfAnInterruptedThreadAsTheirTimeoutWould(final RingKind kind) throws Exception
    {
        try (Channel channel = Channel.open(dir, "interrupted", ChannelOptions.defaults().kind(kind).capacity(4096),
            0, 0))
        {
            final UnsafeBuffer message = new UnsafeBuffer(new byte[400]);
            while (channel.offer(1, message, 0, message.capacity()))
            {
                // fill the ring, so that send must wait
            }
            // an hour: that the calls return within the test's wait at all is the proof, with no clock threshold
            final long timeoutNs = TimeUnit.HOURS.toNanos(1);
            final AtomicReference<String> outcome = new AtomicReference<>();
            final Thread caller = new Thread(() ->
            {
                Thread.currentThread().interrupt();
                final boolean sent = channel.send(1, message, 0, message.capacity(), timeoutNs);
                outcome.set(sent + " " + Thread.currentThread().isInterrupted());
            });
            caller.start();
            caller.join(TimeUnit.SECONDS.toMillis(60));
            assertFalse(caller.isAlive(), "send of an interrupted thread still waiting");
            assertEquals("false true", outcome.get(), "send: sent, flag still set");

            int drained = 0;
            while (channel.poll((t, b, o, l) -> { }, 100) > 0)
            {
                drained++;
            }
            assertTrue(drained > 0);
            final Thread receiver = new Thread(() ->
            {
                Thread.currentThread().interrupt();
                final int read = channel.receive((t, b, o, l) -> { }, 10, timeoutNs);
                outcome.set(read + " " + Thread.currentThread().isInterrupted());
            });
            receiver.start();
            receiver.join(TimeUnit.SECONDS.toMillis(60));
            assertFalse(receiver.isAlive(), "receive of an interrupted thread still waiting");
            assertEquals("0 true", outcome.get(), "receive: read, flag still set");
        }
    }

    /**
     * An SPSC producer killed asleep in send leaves the space waiters count at 1 for good, and every freed batch
     * then paid a wake-up call. The next producer process resets it on attach, as a consumer does for data.
     */
    @ParameterizedTest(name = "predecessor pid is ours={0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void shouldResetTheSpaceWaitersCountAKilledProducerLeft(final boolean samePid) throws Exception
    {
        try (Channel channel = Channel.open(dir, "space", ChannelOptions.defaults().kind(RingKind.SPSC)
            .capacity(4096), 0, 0))
        {
            final org.agrona.concurrent.AtomicBuffer header = channel.file().headerBuffer();
            // a dead predecessor; or, in a restarted container, one that had the pid this process has now
            header.putLongVolatile(ChannelFileDescriptor.PRODUCER_PID_OFFSET,
                samePid ? ProcessHandle.current().pid() : Integer.MAX_VALUE);
            header.putIntVolatile(ChannelFileDescriptor.SPACE_WAITERS_OFFSET, 1);
            final UnsafeBuffer message = new UnsafeBuffer(new byte[8]);
            for (int i = 0; i < 20; i++)
            {
                assertTrue(channel.offer(1, message, 0, 8));
                assertEquals(1, channel.poll((t, b, o, l) -> { }, 10));
            }
            assertEquals(0, header.getIntVolatile(ChannelFileDescriptor.SPACE_WAITERS_OFFSET));
            assertEquals(0, header.getLongVolatile(ChannelFileDescriptor.SPACE_WAKE_UPS_OFFSET),
                "freed batches paid wake-up calls for nobody");
        }
    }

    /**
     * docs/WAITING.md ("Crashes"): a receiver process killed asleep in receive leaves the data waiters count at 1,
     * and every send would then pay a wake-up call for nobody. The next consumer resets it when it attaches, for
     * either ring kind, so the sends after make no wake-up call.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(RingKind.class)
    void shouldResetTheDataWaitersCountAKilledReceiverLeft(final RingKind kind) throws Exception
    {
        // where sleeps are bounded to 1 ms the child leaves and re-enters its count every millisecond
        org.junit.jupiter.api.Assumptions.assumeFalse(AsymmetricFence.mustBoundSleeps(),
            "sleeps are bounded to 1 ms in this process: membarrier refused or libc not bound");
        final Process child = TestJvm.start(
            BlockedReceiverProcess.class, dir.resolve("child.log"), new String[0], dir.toString(), "asleep",
            kind.name());
        try
        {
            awaitChannelFile(child, "asleep");
            try (Channel channel = Channel.open(dir, "asleep", ChannelOptions.defaults()))
            {
                final org.agrona.concurrent.AtomicBuffer header = channel.file().headerBuffer();
                awaitSleeper(channel, ChannelFileDescriptor.DATA_WAITERS_OFFSET);
                child.destroyForcibly();
                assertTrue(child.waitFor(30, TimeUnit.SECONDS));
                assertEquals(1, header.getIntVolatile(ChannelFileDescriptor.DATA_WAITERS_OFFSET), "left by the kill");

                final UnsafeBuffer message = new UnsafeBuffer(new byte[8]);
                final long[] received = {0};
                for (int i = 0; i < 20; i++)
                {
                    message.putLong(0, i);
                    final int expected = i;
                    assertEquals(0, channel.poll((t, b, o, l) -> { }, 10), "nothing sent yet at " + i);
                    assertTrue(channel.offer(1, message, 0, 8));
                    assertEquals(1, channel.poll((t, b, o, l) ->
                    {
                        assertEquals(expected, b.getLong(o));
                        received[0]++;
                    }, 10));
                }
                assertEquals(20, received[0]);
                assertEquals(0, header.getIntVolatile(ChannelFileDescriptor.DATA_WAITERS_OFFSET));
                assertEquals(0, header.getLongVolatile(ChannelFileDescriptor.DATA_WAKE_UPS_OFFSET),
                    "sends paid wake-up calls for nobody");
            }
        }
        finally
        {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /**
     * MPSC: a sender process killed while asleep for space leaves the shared space waiters count at 1, with many
     * producers no attach can reset; its slot's own count names it, and the consumer takes it out once the process
     * is dead and its claims consumed, so freed batches stop paying wake-up calls for nobody.
     */
    @Test
    void shouldTakeAKilledMpscSendersSleepOutOfTheSpaceWaitersCount() throws Exception
    {
        // where sleeps are bounded to 1 ms the child leaves and re-enters its counts every millisecond
        org.junit.jupiter.api.Assumptions.assumeFalse(io.conduit.wait.AsymmetricFence.mustBoundSleeps(),
            "sleeps are bounded to 1 ms in this process: membarrier refused or libc not bound");
        final Process child = TestJvm.start(
            BlockedSenderProcess.class, dir.resolve("child.log"), new String[0], dir.toString(), "killed", "4096");
        try
        {
            awaitChannelFile(child, "killed");
            try (Channel channel = Channel.open(dir, "killed", ChannelOptions.defaults()))
            {
                final org.agrona.concurrent.AtomicBuffer header = channel.file().headerBuffer();
                awaitSleeper(channel, ChannelFileDescriptor.SPACE_WAITERS_OFFSET);
                final int slot = slotOf(header, child.pid());
                assertEquals(1, header.getLongVolatile(slot + ChannelFileDescriptor.SLOT_SPACE_SLEEPERS_OFFSET));

                child.destroyForcibly();
                assertTrue(child.waitFor(30, TimeUnit.SECONDS));
                assertEquals(1, header.getIntVolatile(ChannelFileDescriptor.SPACE_WAITERS_OFFSET), "left by the kill");

                final UnsafeBuffer message = new UnsafeBuffer(new byte[24]);
                int rounds = 0;
                while (0 != header.getIntVolatile(ChannelFileDescriptor.SPACE_WAITERS_OFFSET) && rounds < 100_000)
                {
                    channel.poll((t, b, o, l) -> { }, 100);
                    channel.offer(1, message, 0, 24);
                    rounds++;
                }
                assertEquals(0, header.getIntVolatile(ChannelFileDescriptor.SPACE_WAITERS_OFFSET),
                    "after " + rounds + " rounds");
                // freed by the consumer, or taken by this process's producer, which also takes its sleepers out
                final long slotPid = header.getLongVolatile(slot + ChannelFileDescriptor.SLOT_PID_OFFSET);
                assertTrue(
                    0 == slotPid || io.conduit.ring.ProcessIdentity.current() == slotPid, "slot of pid " + slotPid);
                assertEquals(0, header.getLongVolatile(slot + ChannelFileDescriptor.SLOT_SPACE_SLEEPERS_OFFSET));
                while (channel.poll((t, b, o, l) -> { }, 100) > 0)
                {
                    Thread.onSpinWait(); // the loop's last message
                }
                final long wakeUps = header.getLongVolatile(ChannelFileDescriptor.SPACE_WAKE_UPS_OFFSET);
                for (int i = 0; i < 1_000; i++)
                {
                    assertTrue(channel.offer(1, message, 0, 24));
                    assertEquals(1, channel.poll((t, b, o, l) -> { }, 100));
                }
                assertEquals(wakeUps, header.getLongVolatile(ChannelFileDescriptor.SPACE_WAKE_UPS_OFFSET),
                    "freed batches still pay wake-up calls for nobody");
            }
        }
        finally
        {
            child.destroyForcibly();
        }
    }

    private static int slotOf(final org.agrona.concurrent.AtomicBuffer header, final long pid)
    {
        for (int i = 0; i < ChannelFileDescriptor.MAX_PRODUCERS; i++)
        {
            final int slot = ChannelFileDescriptor.producerSlotOffset(i);
            final long slotPid = header.getLongVolatile(slot + ChannelFileDescriptor.SLOT_PID_OFFSET);
            if (pid == io.conduit.ring.ProcessIdentity.pid(slotPid))
            {
                return slot;
            }
        }
        throw new AssertionError("no slot of pid " + pid);
    }

    /**
     * A thread asleep in the kernel stays announced in the waiters count for its whole sleep (the channels here sleep
     * up to 60 s at a time); one that spins announces, finds its condition holds, and withdraws, over and over. So
     * reads of the count that all find it announced, for half a second (hundreds of its wait cycles were it
     * spinning), tell the two apart, with no CPU threshold. (The harness's --idle-seconds measures what sleeping
     * costs.)
     */
    private static void assertStaysAsleep(final Channel channel, final String what)
    {
        // where membarrier is refused a sleeper wakes every millisecond by design (docs/WAITING.md)
        org.junit.jupiter.api.Assumptions.assumeFalse(io.conduit.wait.AsymmetricFence.mustBoundSleeps(),
            "sleeps are bounded to 1 ms in this process: membarrier refused or libc not bound");
        final org.agrona.concurrent.AtomicBuffer header = channel.file().headerBuffer();
        final long endNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
        long reads = 0;
        while (System.nanoTime() < endNs)
        {
            final int waiters = header.getIntVolatile(ChannelFileDescriptor.DATA_WAITERS_OFFSET);
            if (1 != waiters)
            {
                fail(what + " left its sleep: waiters=" + waiters + " at read " + reads);
            }
            reads++;
        }
    }

    private static long sent0(final UnsafeBuffer message)
    {
        return message.getLong(0);
    }

    /**
     * Wait up to 30 s for the child to have created the named channel, failing at once if it has exited.
     */
    private void awaitChannelFile(final Process child, final String name) throws InterruptedException
    {
        final Path file = io.conduit.file.ChannelFile.pathOf(dir, name);
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(file))
        {
            assertTrue(child.isAlive() && System.nanoTime() < deadlineNs, "the child made no channel " + name);
            Thread.sleep(1);
        }
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

package io.conduit;

import io.conduit.file.ChannelOptions;
import io.conduit.ring.RingKind;
import io.conduit.wait.AsymmetricFence;
import io.conduit.wait.FutexWaitSet;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static io.conduit.file.ChannelFileDescriptor.DATA_WAITERS_OFFSET;
import static io.conduit.file.ChannelFileDescriptor.DATA_WAKE_UPS_OFFSET;
import static io.conduit.file.ChannelFileDescriptor.MESSAGES_RECEIVED_OFFSET;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

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

    /**
     * A handler inside the set's poll or receive closing a member, its own or another: refused with
     * IllegalStateException, every member left open, and every message read once. Closing another member would have
     * unmapped it under the poll's next read (a JVM crash), or, in receive, waited for this very call to leave.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldRefuseACloseOfAnyMemberFromTheSetsHandler(final boolean blocking) throws Exception
    {
        try (Channel high = open("high"); Channel low = open("low"))
        {
            final org.agrona.concurrent.UnsafeBuffer message = new org.agrona.concurrent.UnsafeBuffer(new byte[4]);
            assertTrue(high.offer(1, message, 0, 4));
            assertTrue(low.offer(2, message, 0, 4));
            final ChannelSet set = new ChannelSet(high, low);
            final List<String> seen = new ArrayList<>();
            final MessageHandler handler = (t, b, o, l) ->
            {
                for (final Channel member : new Channel[] {high, low})
                {
                    final IllegalStateException ex = assertThrows(IllegalStateException.class, member::close);
                    seen.add(t + ":" + ex.getMessage().substring(0, ex.getMessage().indexOf(',')));
                }
            };
            assertEquals(2, blocking ? set.receive(handler, 10, TimeUnit.SECONDS.toNanos(5)) : set.poll(handler, 10));

            final String refusal = "close() called from a handler of this channel's own poll or receive";
            assertEquals(List.of("1:" + refusal, "1:" + refusal, "2:" + refusal, "2:" + refusal), seen);
            assertFalse(high.isClosed());
            assertFalse(low.isClosed());
            assertTrue(low.offer(2, message, 0, 4), "still open, still mapped");
            assertEquals(1, set.poll((t, b, o, l) -> { }, 10));
        }
    }

    /**
     * Three senders in other processes at once, one per member: every message arrives once and in order on its lane,
     * and every lane's sends found the set asleep. Here the next send on any lane rescues a wake-up the set missed, so
     * a long wait shows only a member that never wakes the set once the others stop;
     * {@link #shouldWakeForEverySendToAnyOneMember} is the test of each wake-up.
     */
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
                children.add(PausingSenderProcess.start(
                    dir, "lane" + i, perLane, 400_000, false, dir.resolve("child" + i + ".log")));
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
                    final int from = laneOf(channels, b);
                    assertEquals(next[from], sequence, "in order, none lost or repeated, on lane " + from);
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
                // a wake-up is counted when a send finds the set announced: it slept, and on this lane's word too
                final long wakeUps = channels[i].file().headerBuffer().getLongVolatile(DATA_WAKE_UPS_OFFSET);
                assertTrue(wakeUps > perLane / 10, "lane " + i + " woke the set: wake-ups=" + wakeUps);
            }
            // a member that never wakes the set costs sleeps to their bound: 10 s here, 1 ms where sleeps are bounded
            assumeFalse(AsymmetricFence.mustBoundSleeps(), "sleeps bounded to 1 ms: a lost wake-up would not show");
            // a lost wake-up sleeps the whole 10 s cap; 5 s leaves a stalled VM or a GC pause room
            assertTrue(longestWaitNs < TimeUnit.SECONDS.toNanos(5), "longest wait " + longestWaitNs + " ns");
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

    /**
     * Every send from another process on any one member wakes the set from its sleep in the kernel. The set is
     * announced on every member before the sender starts, and the sender sends each message only once the one before
     * has been read, so each message needs a wake-up of its own: none can come from a later send, and the set sleeps
     * up to a minute at a time, twice the test's wait. The member's wake-ups counter shows the sends found the set
     * asleep; the other members' show no wake-up.
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void shouldWakeForEverySendToAnyOneMember(final int lane) throws Exception
    {
        assumeFalse(AsymmetricFence.mustBoundSleeps(), "sleeps bounded to 1 ms: any wait would end by itself");
        final long count = 2_000;
        final long maxSleepNs = TimeUnit.SECONDS.toNanos(60);
        final AtomicLong read = new AtomicLong();
        try (Channel a = openSleeping("lane0", maxSleepNs);
            Channel b = openSleeping("lane1", maxSleepNs);
            Channel c = openSleeping("lane2", maxSleepNs))
        {
            final Channel[] channels = {a, b, c};
            final ChannelSet set = new ChannelSet(channels);
            final CompletableFuture<Long> outcome = new CompletableFuture<>();
            final Thread receiver = new Thread(() ->
            {
                try
                {
                    final long[] next = {0};
                    while (next[0] < count)
                    {
                        assertTrue(set.receive((t, buf, o, l) ->
                        {
                            assertEquals(lane, laneOf(channels, buf));
                            assertEquals(next[0], buf.getLong(o), "in order, none lost or repeated");
                            assertEquals(next[0] * 0x9E3779B97F4A7C15L, buf.getLong(o + 8), "checksum");
                            next[0]++;
                        }, 64, maxSleepNs) > 0, "a receive timed out at " + next[0]);
                        read.set(next[0]);
                    }
                    outcome.complete(next[0]);
                }
                catch (final Throwable ex)
                {
                    outcome.completeExceptionally(ex);
                }
            }, "set-receiver");
            receiver.start();
            for (final Channel channel : channels)
            {
                ChannelTest.awaitSleeper(channel, DATA_WAITERS_OFFSET);
            }

            // pauses of up to 50 us put sends all through the set's way back to sleep, where a wake-up can be lost
            final Process sender = PausingSenderProcess.start(
                dir, "lane" + lane, count, 50_000, true, dir.resolve("sender.log"));
            try
            {
                // no speed limit (a loaded machine may take milliseconds a message), but a lost wake-up leaves the
                // set asleep for a minute: 30 s with nothing read, the sender's start-up included, is one
                long seen = -1;
                long progressNs = System.nanoTime();
                while (!outcome.isDone())
                {
                    final long now = read.get();
                    if (now != seen)
                    {
                        seen = now;
                        progressNs = System.nanoTime();
                    }
                    else if (!sender.isAlive() && 0 != sender.exitValue())
                    {
                        fail("the sender exited with " + sender.exitValue() + ": " +
                            readLog(dir.resolve("sender.log")));
                    }
                    else if (System.nanoTime() - progressNs > TimeUnit.SECONDS.toNanos(30))
                    {
                        fail("the set slept on after send " + now + " to lane " + lane + " (it sleeps up to 60 s)");
                    }
                    Thread.sleep(10);
                }
                assertEquals(count, outcome.get());
                assertTrue(sender.waitFor(30, TimeUnit.SECONDS));
                assertEquals(0, sender.exitValue(), () -> readLog(dir.resolve("sender.log")));
            }
            finally
            {
                sender.destroyForcibly();
            }
            for (int i = 0; i < channels.length; i++)
            {
                final long wakeUps = channels[i].file().headerBuffer().getLongVolatile(DATA_WAKE_UPS_OFFSET);
                assertTrue(lane == i ? wakeUps > count / 10 : 0 == wakeUps, "lane " + i + " wake-ups=" + wakeUps);
            }
            receiver.join(TimeUnit.SECONDS.toMillis(10));
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
            ChannelTest.awaitSleeper(b, DATA_WAITERS_OFFSET);

            final long closeStartNs = System.nanoTime();
            b.close(); // returns once the receiver has left: it may unmap only then
            final long closeNs = System.nanoTime() - closeStartNs;
            // the receiver's sleep would also end at its bound, and close return then: only a quick close was a wake
            // (where sleeps are bounded to 1 ms, any close is quick, and proves nothing)
            if (!AsymmetricFence.mustBoundSleeps())
            {
                assertTrue(closeNs < TimeUnit.SECONDS.toNanos(10), "close waited " + closeNs + " ns for the receiver");
            }

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

    /**
     * docs/WAITING.md, "Fallback" and the wait set's row of its properties table: where the kernel's futex is not
     * used (a child JVM run with {@code conduit.wait.futex.disabled=true}), a set's receive has no
     * {@code futex_waitv} and parks in steps of 50 us growing to 1 ms, re-reading every member's word between them,
     * so a send to any member ends its sleep within a step, though this process's FUTEX_WAKE finds nobody in the
     * kernel. Each message is sent once the child is announced on that lane's word, with sleeps of up to 10 s, and
     * {@link #FALLBACK_SEND_DELAY_NS} later, by when its steps have reached their longest: so each needs the fallback
     * to see it, within a step of at most 1 ms. Every lane's messages arrive once and in order (sequence and checksum,
     * checked by the child); the sends found the child announced; and the median send is read within 5 ms, where a
     * fallback that missed the word would take the 10 s sleep and steps that kept growing would take tens of ms. A
     * few slow reads are allowed for a loaded machine; more fail the test at once rather than after every send.
     */
    /**
     * From the child's announce to the send: its park steps (50 us doubling) pass the 1 ms cap after about 2 ms, and a
     * cap that was missing would have them at tens of ms by now.
     */
    private static final long FALLBACK_SEND_DELAY_NS = TimeUnit.MILLISECONDS.toNanos(30);

    @Test
    void shouldWakeTheFallbackWaitSetForEverySendToAnyMember() throws Exception
    {
        final int lanes = 2;
        final int perLane = 40;
        final long slowNs = TimeUnit.MILLISECONDS.toNanos(100);
        final int slowAllowed = 5;
        final Channel[] channels = new Channel[lanes];
        Process child = null;
        final Path log = dir.resolve("fallback-receiver.log");
        try
        {
            for (int i = 0; i < lanes; i++)
            {
                channels[i] = openSleeping(FallbackSetReceiverProcess.laneName(i), TimeUnit.SECONDS.toNanos(1));
            }
            child = FallbackSetReceiverProcess.start(dir, lanes, perLane, log);
            final UnsafeBuffer message = new UnsafeBuffer(new byte[2 * Long.BYTES]);
            final long[] readNs = new long[lanes * perLane];
            int slow = 0;
            for (int sequence = 0; sequence < perLane; sequence++)
            {
                for (int lane = 0; lane < lanes; lane++)
                {
                    final AtomicBuffer header = channels[lane].file().headerBuffer();
                    awaitHeader(child, log, () -> header.getIntVolatile(DATA_WAITERS_OFFSET) > 0,
                        "the child announced on lane " + lane + " before message " + sequence);
                    LockSupport.parkNanos(FALLBACK_SEND_DELAY_NS); // the child's park steps grow to their longest
                    message.putLong(0, sequence);
                    message.putLong(Long.BYTES, FallbackSetReceiverProcess.checksum(lane, sequence));
                    final long startNs = System.nanoTime();
                    assertTrue(channels[lane].offer(lane + 1, message, 0, message.capacity()));
                    final long received = sequence + 1;
                    awaitHeader(child, log, () -> header.getLongVolatile(MESSAGES_RECEIVED_OFFSET) == received,
                        "the child read message " + sequence + " of lane " + lane);
                    final long elapsedNs = System.nanoTime() - startNs;
                    readNs[sequence * lanes + lane] = elapsedNs;
                    if (elapsedNs > slowNs)
                    {
                        assertTrue(++slow <= slowAllowed,
                            slow + " sends read after more than " + slowNs + " ns, the last " + elapsedNs + " ns");
                    }
                }
            }
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child did not exit: " + readLog(log));
            assertEquals(0, child.exitValue(), readLog(log));
            Arrays.sort(readNs);
            final long medianNs = readNs[readNs.length / 2];
            assertTrue(medianNs < TimeUnit.MILLISECONDS.toNanos(5), "median send to read " + medianNs + " ns");
            for (int lane = 0; lane < lanes; lane++)
            {
                // counted when a send finds the set announced; a sleep that ends on its own (1 s here) and
                // re-announces between the look and the send may take one away
                final long wakeUps = channels[lane].file().headerBuffer().getLongVolatile(DATA_WAKE_UPS_OFFSET);
                assertTrue(wakeUps >= perLane / 2, "lane " + lane + ": sends that found the set: " + wakeUps);
            }
        }
        finally
        {
            if (null != child)
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

    /**
     * Wait up to 10 s for a condition on a channel header, failing early if the child has exited.
     */
    private static void awaitHeader(
        final Process child, final Path log, final java.util.function.BooleanSupplier condition, final String what)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean())
        {
            assertTrue(child.isAlive() || condition.getAsBoolean(), () -> "the child exited before " + what + ": " +
                readLog(log));
            assertTrue(System.nanoTime() - deadlineNs < 0, () -> "not within 10 s: " + what + "; " + readLog(log));
            LockSupport.parkNanos(20_000);
        }
    }

    /**
     * The set's wait condition counts a closed member, as {@link Channel}'s own does (docs/WAITING.md: a closer's flag
     * belongs in the condition), so a close whose first wake-up came before the set announced still ends the set's
     * sleep at its re-check. The member is held entered, so that its close sets the flag and then waits, mapped, for
     * the call to leave; nothing is readable on either member.
     */
    @Test
    void shouldCountAClosedMemberInTheSetsWaitCondition() throws Exception
    {
        try (Channel a = open("a"); Channel b = open("b"))
        {
            final ChannelSet set = new ChannelSet(a, b);
            assertFalse(set.isAnyClosedOrReadable(), "nothing sent, nothing closed");
            b.enter(); // as a receive of the set does: b's close waits for it to leave before unmapping
            final CompletableFuture<Void> closing = CompletableFuture.runAsync(b::close);
            try
            {
                final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!b.isClosed())
                {
                    assertTrue(System.nanoTime() - deadlineNs < 0, "b's close did not set its flag");
                    Thread.onSpinWait();
                }
                assertTrue(set.isAnyClosedOrReadable(), "a closed member must end the set's sleep");
                assertFalse(closing.isDone(), "b unmapped with a call inside");
            }
            finally
            {
                b.leave();
            }
            closing.get(10, TimeUnit.SECONDS);
        }
    }

    /**
     * @return the index of the channel whose ring a handler was given.
     */
    private static int laneOf(final Channel[] channels, final DirectBuffer buffer)
    {
        for (int i = 0; i < channels.length; i++)
        {
            if (buffer == channels[i].ring().buffer())
            {
                return i;
            }
        }
        throw new AssertionError("a buffer of no member: " + buffer);
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

    private static String readLog(final Path log)
    {
        try
        {
            return Files.readString(log);
        }
        catch (final java.io.IOException ex)
        {
            return "(no log: " + ex + ")";
        }
    }
}

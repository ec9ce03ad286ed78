package io.conduit.ring;

import io.conduit.ControlledMessageHandler;
import io.conduit.CorruptChannelException;
import io.conduit.file.ChannelFile;
import io.conduit.file.ChannelOptions;
import io.conduit.wait.AsymmetricFence;
import io.conduit.wait.Futex;
import io.conduit.wait.FutexWaiter;
import io.conduit.wait.FutexWaker;
import io.conduit.wait.KernelSleepers;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32;

import static io.conduit.file.ChannelFileDescriptor.CLEAN_POSITION_OFFSET;
import static io.conduit.file.ChannelFileDescriptor.DATA_FUTEX_WORD_OFFSET;
import static io.conduit.file.ChannelFileDescriptor.DATA_WAITERS_OFFSET;
import static io.conduit.file.ChannelFileDescriptor.DATA_WAKE_UPS_OFFSET;
import static io.conduit.file.ChannelFileDescriptor.HEAD_POSITION_OFFSET;
import static io.conduit.file.ChannelFileDescriptor.TAIL_POSITION_OFFSET;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The contract every ring kind keeps, run against each (the JCTools pattern).
 */
abstract class RingContractTest
{
    static final int CAPACITY = 4096;

    @TempDir
    Path dir;

    ChannelFile file;
    Ring ring;

    abstract RingKind kind();

    @BeforeEach
    void setUp() throws Exception
    {
        file = ChannelFile.create(dir, "contract", ChannelOptions.defaults().kind(kind()).capacity(CAPACITY));
        ring = file.ring();
    }

    @AfterEach
    void tearDown()
    {
        file.close();
    }

    /**
     * A handler that reads its own ring (read in read, controlledRead in read, read in controlledRead) is refused
     * with IllegalStateException: the nested read started from the head the running batch had not stored, delivered
     * that batch again, and the running batch then stored its head behind the nested one's (messages delivered twice,
     * the head moving back, and, with more traffic, lost or a CorruptChannelException). Every message is delivered
     * once and in order, around each refusal and after.
     */
    @Test
    void shouldRefuseAReadFromInsideItsOwnHandler()
    {
        final UnsafeBuffer message = new UnsafeBuffer(new byte[8]);
        long sent = 0;
        for (; sent < 5; sent++)
        {
            message.putLong(0, sent);
            assertTrue(ring.offer(1, message, 0, 8));
        }
        final List<Long> delivered = new ArrayList<>();
        final List<String> refused = new ArrayList<>();
        final io.conduit.MessageHandler nested = (t, b, o, l) -> fail("a nested read delivered a message");
        assertEquals(2, ring.read((t, b, o, l) ->
        {
            delivered.add(b.getLong(o));
            refused.add(assertThrows(IllegalStateException.class, () -> ring.read(nested, 10)).getMessage());
            refused.add(assertThrows(IllegalStateException.class,
                () -> ring.controlledRead((t2, b2, o2, l2) -> ControlledMessageHandler.Action.CONTINUE, 10))
                .getMessage());
        }, 2));
        assertEquals(1, ring.controlledRead((t, b, o, l) ->
        {
            delivered.add(b.getLong(o));
            refused.add(assertThrows(IllegalStateException.class, () -> ring.read(nested, 10)).getMessage());
            return ControlledMessageHandler.Action.BREAK;
        }, 10));
        assertEquals(5, refused.size());
        assertTrue(refused.get(0).startsWith("read called from inside a handler of this ring's own read, file="),
            refused.get(0));

        for (; sent < 200; sent++)
        {
            message.putLong(0, sent);
            while (!ring.offer(1, message, 0, 8))
            {
                ring.read((t, b, o, l) -> delivered.add(b.getLong(o)), 100);
            }
        }
        while (ring.read((t, b, o, l) -> delivered.add(b.getLong(o)), 100) > 0)
        {
            // drain
        }
        final List<Long> expected = new ArrayList<>();
        for (long i = 0; i < sent; i++)
        {
            expected.add(i);
        }
        assertEquals(expected, delivered);
        assertEquals(ring.tailPosition(), ring.headPosition());
    }

    /**
     * A null handler is refused before anything is read: the message at the head used to be passed (head stored past
     * it, then the NullPointerException) and lost. A limit below 1 reads nothing (docs/RINGS.md).
     */
    @Test
    void shouldRefuseANullHandlerBeforeReadingAnything()
    {
        final UnsafeBuffer message = new UnsafeBuffer(new byte[8]);
        message.putLong(0, 7);
        assertTrue(ring.offer(1, message, 0, 8));
        assertThrows(NullPointerException.class, () -> ring.read(null, 10));
        assertThrows(NullPointerException.class, () -> ring.controlledRead(null, 10));
        final List<Long> delivered = new ArrayList<>();
        for (final int limit : new int[] {0, -1, Integer.MIN_VALUE})
        {
            assertEquals(0, ring.read((t, b, o, l) -> delivered.add(b.getLong(o)), limit));
            assertEquals(0, ring.controlledRead((t, b, o, l) ->
            {
                delivered.add(b.getLong(o));
                return ControlledMessageHandler.Action.CONTINUE;
            }, limit));
        }
        assertEquals(List.of(), delivered);
        assertEquals(1, ring.read((t, b, o, l) -> delivered.add(b.getLong(o)), 10));
        assertEquals(List.of(7L), delivered);
    }

    /**
     * Records scribbled on every line, none claimed: before, an SPSC consumer read them round and round, a lap at a
     * time (a read counts a lap only from where it started, a COMMIT moves that point), delivering old bytes for
     * ever. A message must end below the producers' tail, which every claim moves first.
     */
    @Test
    void shouldRefuseMessagesPastTheTailRatherThanReadThemRoundAndRound()
    {
        scribbleRecordsFrom(0);
        final int[] delivered = {0};
        final CorruptChannelException controlled = assertThrows(CorruptChannelException.class, () ->
            ring.controlledRead((t, b, o, l) ->
            {
                delivered[0]++;
                return ControlledMessageHandler.Action.COMMIT;
            }, 100_000)); // laps' worth: before, all of them were delivered
        assertTrue(controlled.getMessage().contains(
            "message end=64 expected at most tailPosition=0 (records past the tail) at position=0 file=") &&
            controlled.getMessage().endsWith("contract.conduit"), controlled.getMessage());
        assertThrows(CorruptChannelException.class, () -> ring.read((t, b, o, l) -> delivered[0]++, 16));
        assertEquals(0, delivered[0], "nothing past the tail is delivered");
        assertEquals(0, ring.headPosition(), "the head stays before the refused record");
    }

    /**
     * With real messages read first, the consumer checks the tail once a lap, not per read: records scribbled past the
     * tail are refused before a lap of them is delivered (MPSC, which clears behind its head, finds its own cleared
     * lines after one lap and stops there instead).
     */
    @Test
    void shouldDeliverAtMostALapOfMessagesScribbledPastTheTail()
    {
        final UnsafeBuffer message = new UnsafeBuffer(new byte[8]);
        assertTrue(ring.offer(1, message, 0, 8));
        assertTrue(ring.offer(1, message, 0, 8));
        assertEquals(2, ring.read((t, b, o, l) -> { }, 16));
        scribbleRecordsFrom(2 * RecordDescriptor.ALIGNMENT);
        final int[] delivered = {0};
        boolean refused = false;
        for (int reads = 0; reads < 10 * CAPACITY && !refused; reads++)
        {
            try
            {
                ring.read((t, b, o, l) -> delivered[0]++, 16);
            }
            catch (final CorruptChannelException ex)
            {
                assertTrue(ex.getMessage().contains("message end="), ex.getMessage());
                refused = true;
            }
        }
        assertTrue(delivered[0] <= CAPACITY / RecordDescriptor.ALIGNMENT, "delivered " + delivered[0]);
        assertTrue(refused || RingKind.MPSC == kind(), "SPSC never refused them");
    }

    /**
     * Both kinds store a wrapping claim's padding before the tail that covers it (SPSC at every claim, MPSC under the
     * bias), so a consumer may meet padding that ends past the tail it loads: that must not be taken for records past
     * the tail. A fresh consumer, whose first record checks the tail, at the moment between the two stores.
     */
    @Test
    void shouldTakePaddingStoredBeforeItsTailForAWrapNotForRecordsPastTheTail()
    {
        final long position = CAPACITY - RecordDescriptor.ALIGNMENT;
        final AtomicBuffer header = file.headerBuffer();
        header.putLongVolatile(HEAD_POSITION_OFFSET, position);
        header.putLongVolatile(CLEAN_POSITION_OFFSET, position);
        header.putLongVolatile(TAIL_POSITION_OFFSET, position); // the wrapping claim's tail not stored yet
        ring.buffer().putLongVolatile((int)position,
            RecordDescriptor.makeHeader(RecordDescriptor.ALIGNMENT, RecordDescriptor.PADDING_TYPE_ID));

        assertEquals(0, ring.read((t, b, o, l) -> fail("only padding was written"), 16));
        assertEquals(CAPACITY, ring.headPosition(), "the padding was read and passed");
    }

    /** A committed 8-byte message of type 1 on every line from {@code offset} to the ring's end. */
    private void scribbleRecordsFrom(final int offset)
    {
        for (int line = offset; line < CAPACITY; line += RecordDescriptor.ALIGNMENT)
        {
            ring.buffer().putLongVolatile(line, RecordDescriptor.makeHeader(RecordDescriptor.HEADER_LENGTH + 8, 1));
        }
    }

    @Test
    void shouldReportShape()
    {
        assertEquals(kind(), ring.kind());
        assertEquals(CAPACITY, ring.capacity());
        assertEquals(CAPACITY / 8 - RecordDescriptor.HEADER_LENGTH, ring.maxMessageLength());
        assertEquals(0, ring.size());
    }

    /**
     * Every length from 0 to the max meets the wrap point: its record ends exactly at the end of the buffer, and, if
     * longer than a line, it also comes where it does not fit before the end, so that padding fills the rest and the
     * record starts at offset 0. One-line records of filler move the tail to each place, and every record, filler
     * too, is checked for its length, type id and bytes, in order.
     */
    @Test
    void shouldDeliverEveryLengthAcrossTheWrapPoint()
    {
        final AbstractRing abstractRing = (AbstractRing)ring;
        final int line = RecordDescriptor.ALIGNMENT;
        final int filler = line - RecordDescriptor.HEADER_LENGTH;
        final Deque<int[]> inFlight = new ArrayDeque<>(); // {length, seed} of each message sent and not yet read
        final List<String> errors = new ArrayList<>();
        int wraps = 0;
        for (int length = 0; length <= ring.maxMessageLength(); length++)
        {
            final int aligned = RecordDescriptor.alignedLength(length + RecordDescriptor.HEADER_LENGTH);
            for (final int toEnd : aligned > line ? new int[]{aligned, aligned - line} : new int[]{aligned})
            {
                // a lap of fillers at most: every line start is a place the tail can be
                for (int fillers = 0; CAPACITY - (abstractRing.tailPosition() & (CAPACITY - 1)) != toEnd; fillers++)
                {
                    assertTrue(fillers < CAPACITY / line, "the tail never came " + toEnd + " bytes from the end");
                    sendChecked(filler, inFlight, errors);
                }
                final long tailBefore = abstractRing.tailPosition();
                sendChecked(length, inFlight, errors);
                final long tailAfter = abstractRing.tailPosition();
                if (toEnd == aligned)
                {
                    assertEquals(0, tailAfter & (CAPACITY - 1), "length " + length + " ends at the buffer's end");
                }
                else
                {
                    assertEquals(toEnd + aligned, tailAfter - tailBefore, "length " + length + " after padding");
                    wraps++;
                }
            }
        }
        while (!inFlight.isEmpty())
        {
            assertTrue(readChecked(inFlight, errors) > 0, inFlight.size() + " messages sent and never read");
        }
        assertEquals(List.of(), errors);
        assertEquals(ring.maxMessageLength() + 1 - (line - RecordDescriptor.HEADER_LENGTH + 1), wraps);
        assertEquals(0, ring.size());
    }

    private void sendChecked(final int length, final Deque<int[]> inFlight, final List<String> errors)
    {
        final int seed = inFlight.size() + 31 * length;
        final UnsafeBuffer source = new UnsafeBuffer(new byte[Math.max(1, length)]);
        for (int i = 0; i < length; i++)
        {
            source.putByte(i, (byte)(seed + i));
        }
        while (!ring.offer(1 + (length % 7), source, 0, length))
        {
            // refused, so something is in the ring to read: a read of nothing would loop for ever
            assertTrue(readChecked(inFlight, errors) > 0, "offer refused with nothing to read, length " + length);
        }
        inFlight.addLast(new int[]{length, seed});
    }

    private int readChecked(final Deque<int[]> inFlight, final List<String> errors)
    {
        return ring.read((typeId, buffer, offset, length) ->
        {
            final int[] expected = inFlight.pollFirst();
            if (null == expected || length != expected[0] || typeId != 1 + (length % 7))
            {
                errors.add("expected " + (null == expected ? "nothing" : "length " + expected[0]) + ", read length=" +
                    length + " typeId=" + typeId);
                return;
            }
            for (int i = 0; i < length; i++)
            {
                if (buffer.getByte(offset + i) != (byte)(expected[1] + i))
                {
                    errors.add("length=" + length + " byte " + i);
                    break;
                }
            }
        }, 100);
    }

    @Test
    void shouldApplyBackPressureWhenFullAndRecoverAfterRead()
    {
        final UnsafeBuffer source = new UnsafeBuffer(new byte[64]);
        int sent = 0;
        while (ring.offer(1, source, 0, 64))
        {
            sent++;
        }
        assertTrue(sent > 0);
        assertEquals(Ring.INSUFFICIENT_CAPACITY, ring.tryClaim(1, 64));
        assertTrue(ring.size() > CAPACITY - 2 * 72 - 8, "size=" + ring.size());
        final int[] read = {0};
        int reads = 0;
        while (!ring.offer(1, source, 0, 64))
        {
            assertEquals(1, ring.read((t, b, o, l) -> read[0]++, 1));
            assertTrue(++reads <= sent / 4, "space comes back after at most a quarter of the ring is read");
        }
        while (ring.read((t, b, o, l) -> read[0]++, 1000) > 0)
        {
            // drain
        }
        assertEquals(sent + 1, read[0]);
    }

    @Test
    void shouldSkipAbortedClaims()
    {
        final int aborted = ring.tryClaim(5, 16);
        assertTrue(aborted > 0);
        ring.buffer().putLong(aborted, 42);
        ring.abort(aborted);
        final int committed = ring.tryClaim(6, 8);
        ring.buffer().putLong(committed, 43);
        ring.commit(committed);

        final List<Long> values = new ArrayList<>();
        assertEquals(1, ring.read((typeId, buffer, offset, length) ->
        {
            assertEquals(6, typeId);
            values.add(buffer.getLong(offset));
        }, 10));
        assertEquals(List.of(43L), values);
    }

    /**
     * An abort publishes padding, which moves a consumer on as a commit's record does: a consumer asleep on the data
     * futex until the head is written must be woken by it, not left to its timeout.
     */
    @Test
    void shouldWakeAConsumerSleepingOnTheDataFutexOnAbort() throws Exception
    {
        // where membarrier is refused sleeps are bounded to 1 ms; the park/poll fallback never enters futex(2)
        assumeFalse(AsymmetricFence.mustBoundSleeps(), "sleeps are bounded to 1 ms in this process");
        assumeTrue(Futex.isNative(), "no futex(2) here");
        assumeTrue(KernelSleepers.isSupported(), "this kernel does not tell a thread's system call");
        final AtomicBuffer header = file.headerBuffer();
        final AbstractRing consumer = (AbstractRing)ring;
        final int claimed = ring.tryClaim(1, 16); // at the head: nothing written there for the consumer yet
        final FutexWaiter dataWaiter = new FutexWaiter(header, DATA_FUTEX_WORD_OFFSET, DATA_WAITERS_OFFSET);
        final Thread sleeper = new Thread(() ->
            dataWaiter.await(consumer::isHeadWritten, TimeUnit.SECONDS.toNanos(60)));
        sleeper.start();
        try
        {
            // announced is not yet asleep: one still to check the head would see the padding, and return unwoken
            KernelSleepers.awaitSleeper(ProcessHandle.current().pid(), header.addressOffset() +
                DATA_FUTEX_WORD_OFFSET, TimeUnit.SECONDS.toNanos(10));
            ring.abort(claimed);
            sleeper.join(TimeUnit.SECONDS.toMillis(10));
            assertFalse(sleeper.isAlive(), "the sleeper was not woken by the abort");
            assertEquals(1, header.getLongVolatile(DATA_WAKE_UPS_OFFSET));
        }
        finally
        {
            FutexWaker.signal(header, DATA_FUTEX_WORD_OFFSET, DATA_WAITERS_OFFSET); // it must not outlive the mapping
            sleeper.join();
        }
    }

    @Test
    void shouldHoldBackLaterCommitsUntilEarlierClaimCommits()
    {
        final int first = ring.tryClaim(1, 8);
        final int second = ring.tryClaim(2, 8);
        ring.buffer().putLong(second, 2);
        ring.commit(second);
        assertEquals(0, ring.read((t, b, o, l) -> fail("nothing before the first commit"), 10));
        ring.buffer().putLong(first, 1);
        ring.commit(first);
        final List<Long> values = new ArrayList<>();
        assertEquals(2, ring.read((t, b, o, l) -> values.add(b.getLong(o)), 10));
        assertEquals(List.of(1L, 2L), values);
    }

    @Test
    void shouldRejectBadClaimArguments()
    {
        assertThrows(IllegalArgumentException.class, () -> ring.tryClaim(0, 8));
        assertThrows(IllegalArgumentException.class, () -> ring.tryClaim(1, -1));
        assertThrows(IllegalArgumentException.class, () -> ring.tryClaim(1, ring.maxMessageLength() + 1));
        assertThrows(IllegalArgumentException.class, () -> ring.commit(3));
        assertThrows(IllegalArgumentException.class, () -> ring.commit(CAPACITY * 2));
        final int offset = ring.tryClaim(1, 8);
        ring.commit(offset);
        assertThrows(IllegalArgumentException.class, () -> ring.commit(offset), "double commit");
    }

    @Test
    void shouldStopBatchAtLimitAndStoreHeadOncePerBatch()
    {
        final UnsafeBuffer source = new UnsafeBuffer(new byte[8]);
        for (int i = 0; i < 10; i++)
        {
            source.putLong(0, i);
            assertTrue(ring.offer(1, source, 0, 8));
        }
        final long headBefore = ring.headPosition();
        final List<Long> values = new ArrayList<>();
        assertEquals(4, ring.read((t, b, o, l) ->
        {
            values.add(b.getLong(o));
            assertEquals(headBefore, ring.headPosition(), "head moves only after the batch");
        }, 4));
        // records start on lines: four 16-byte frames take four whole lines
        assertEquals(headBefore + 4 * RecordDescriptor.ALIGNMENT, ring.headPosition());
        assertEquals(6, ring.read((t, b, o, l) -> values.add(b.getLong(o)), 100));
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), values);
    }

    @Test
    void shouldFollowControlledReadActions()
    {
        final UnsafeBuffer source = new UnsafeBuffer(new byte[8]);
        for (int i = 0; i < 6; i++)
        {
            source.putLong(0, i);
            assertTrue(ring.offer(1, source, 0, 8));
        }
        final List<Long> seen = new ArrayList<>();
        // ABORT on the third: two consumed, the third comes again
        assertEquals(2, ring.controlledRead((t, b, o, l) ->
        {
            seen.add(b.getLong(o));
            return 2 == b.getLong(o) ? ControlledMessageHandler.Action.ABORT : ControlledMessageHandler.Action.CONTINUE;
        }, 10));
        // BREAK after the first, COMMIT moves the head at once
        assertEquals(1, ring.controlledRead((t, b, o, l) ->
        {
            seen.add(b.getLong(o));
            return ControlledMessageHandler.Action.BREAK;
        }, 10));
        final long headBefore = ring.headPosition();
        assertEquals(3, ring.controlledRead((t, b, o, l) ->
        {
            seen.add(b.getLong(o));
            assertTrue(ring.headPosition() >= headBefore);
            return ControlledMessageHandler.Action.COMMIT;
        }, 10));
        assertEquals(List.of(0L, 1L, 2L, 2L, 3L, 4L, 5L), seen);
    }

    @Test
    void shouldReadOneControlledBatchLongerThanTheRingWhenItCommitsAsItGoes()
    {
        // each COMMIT frees what the batch has read, so producers may write on past where the batch began: a batch
        // that runs more than a capacity beyond its own start is sound as long as it stays within one of the head
        final UnsafeBuffer source = new UnsafeBuffer(new byte[32]);
        source.putLong(0, 0);
        assertTrue(ring.offer(1, source, 0, 32));
        final int messages = 3 * CAPACITY / RecordDescriptor.ALIGNMENT;
        final List<Long> seen = new ArrayList<>();
        final long[] next = {1};

        final int read = ring.controlledRead((t, b, o, l) ->
        {
            seen.add(b.getLong(o));
            if (next[0] < messages)
            {
                source.putLong(0, next[0]);
                assertTrue(ring.offer(1, source, 0, 32), () -> "offer of " + next[0] + " refused");
                next[0]++;
            }
            return ControlledMessageHandler.Action.COMMIT;
        }, Integer.MAX_VALUE);

        assertEquals(messages, read);
        for (int i = 0; i < messages; i++)
        {
            assertEquals(i, seen.get(i));
        }
        assertEquals(0, ring.size());
    }

    @Test
    void shouldConsumeMessageWhoseHandlerThrows()
    {
        final UnsafeBuffer source = new UnsafeBuffer(new byte[8]);
        assertTrue(ring.offer(1, source, 0, 8));
        assertTrue(ring.offer(2, source, 0, 8));
        assertThrows(IllegalStateException.class, () -> ring.read((t, b, o, l) ->
        {
            throw new IllegalStateException("handler failed");
        }, 10));
        final List<Integer> types = new ArrayList<>();
        assertEquals(1, ring.read((t, b, o, l) -> types.add(t), 10));
        assertEquals(List.of(2), types);
    }

    /**
     * A controlled handler that throws gets its message again at the next read, as after ABORT; the messages before
     * it in the batch stay consumed.
     */
    @Test
    void shouldDeliverAgainTheMessageWhoseControlledHandlerThrows()
    {
        final UnsafeBuffer source = new UnsafeBuffer(new byte[8]);
        for (int typeId = 1; typeId <= 3; typeId++)
        {
            assertTrue(ring.offer(typeId, source, 0, 8));
        }
        final List<Integer> types = new ArrayList<>();
        assertThrows(IllegalStateException.class, () -> ring.controlledRead((t, b, o, l) ->
        {
            if (2 == t)
            {
                throw new IllegalStateException("handler failed");
            }
            types.add(t);
            return ControlledMessageHandler.Action.CONTINUE;
        }, 10));
        assertEquals(2, ring.controlledRead((t, b, o, l) ->
        {
            types.add(t);
            return ControlledMessageHandler.Action.CONTINUE;
        }, 10));
        assertEquals(List.of(1, 2, 3), types);
        assertEquals(0, ring.size());
    }

    /**
     * An offer whose source range is outside its buffer throws, and gives its claim back: before, the claim stayed
     * open, and the consumer waited on it for the stuck claim timeout (10 s) before the next message.
     */
    @Test
    void shouldAbortTheClaimOfAnOfferWhoseSourceIsOutOfRange()
    {
        final UnsafeBuffer source = new UnsafeBuffer(new byte[8]);
        source.putLong(0, 42);
        assertThrows(IndexOutOfBoundsException.class, () -> ring.offer(1, source, 4, 8));
        assertThrows(IndexOutOfBoundsException.class, () -> ring.offer(1, source, 0, 9));
        assertTrue(ring.offer(2, source, 0, 8));

        final List<Long> values = new ArrayList<>();
        assertEquals(1, ring.read((t, b, o, l) ->
        {
            assertEquals(2, t);
            values.add(b.getLong(o));
        }, 10), "read at once, not after the stuck claim timeout");
        assertEquals(List.of(42L), values);
        assertEquals(0, ring.size());
    }

    @Test
    void shouldRefuseCorruptRecordLengthWithoutCrashing()
    {
        final UnsafeBuffer source = new UnsafeBuffer(new byte[8]);
        assertTrue(ring.offer(1, source, 0, 8));
        assertTrue(ring.offer(1, source, 0, 8));
        // corrupt the second record's length to run past the ring (records start on 64-byte lines)
        file.ringBuffer().putInt(RecordDescriptor.ALIGNMENT, CAPACITY * 4);
        final int[] count = {0};
        final CorruptChannelException ex =
            assertThrows(CorruptChannelException.class, () -> ring.read((t, b, o, l) -> count[0]++, 10));
        assertTrue(ex.getMessage().contains("frameLength"), ex.getMessage());
        assertTrue(ex.getMessage().contains("contract.conduit"), ex.getMessage());
        assertEquals(1, count[0], "the good record before it is delivered");
        assertEquals(RecordDescriptor.ALIGNMENT, ring.headPosition(), "and stays consumed");
    }

    @Test
    void shouldRefuseNegativeAndOversizedTypeOrLength()
    {
        file.ringBuffer().putLong(0, RecordDescriptor.makeHeader(12, 0));
        assertThrows(CorruptChannelException.class, () -> ring.read((t, b, o, l) -> fail(), 10));
        file.ringBuffer().putLong(0, RecordDescriptor.makeHeader(4, 1));
        assertThrows(CorruptChannelException.class, () -> ring.read((t, b, o, l) -> fail(), 10));
        file.ringBuffer().putLong(0, RecordDescriptor.makeHeader(-(CAPACITY + 8), 1));
        assertThrows(CorruptChannelException.class, () -> ring.read((t, b, o, l) -> fail(), 10));
    }

    @Test
    void shouldDeliverInOrderBetweenThreads() throws Exception
    {
        final int messages = 200_000;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread producer = new Thread(() ->
        {
            try
            {
                for (long i = 0; i < messages; i++)
                {
                    int offset;
                    while ((offset = ring.tryClaim(1, 16)) < 0)
                    {
                        if (stop.get())
                        {
                            return; // the test ended: the file is about to be unmapped
                        }
                        Thread.onSpinWait();
                    }
                    ring.buffer().putLong(offset, i);
                    ring.buffer().putLong(offset + 8, checksum(i));
                    ring.commit(offset);
                }
            }
            catch (final Throwable t)
            {
                failure.set(t);
            }
        });
        producer.start();
        final long[] next = {0};
        final long deadline = System.nanoTime() + 60_000_000_000L;
        try
        {
            while (next[0] < messages && System.nanoTime() < deadline && null == failure.get())
            {
                ring.read((t, b, o, l) ->
                {
                    final long sequence = b.getLong(o);
                    assertEquals(next[0], sequence);
                    assertEquals(checksum(sequence), b.getLong(o + 8));
                    next[0]++;
                }, 64);
            }
        }
        finally
        {
            // a failed check must not leave the producer spinning on a ring tearDown unmaps (a JVM crash, which
            // would lose this failure and every later result of the module)
            stop.set(true);
            producer.join();
        }
        assertNull(failure.get());
        assertEquals(messages, next[0]);
    }

    static long checksum(final long sequence)
    {
        final CRC32 crc = new CRC32();
        for (int i = 0; i < 8; i++)
        {
            crc.update((int)(sequence >>> (i * 8)) & 0xFF);
        }
        return crc.getValue();
    }
}

package io.conduit.ring;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static io.conduit.file.ChannelFileDescriptor.FILE_HEADER_LENGTH;
import static org.junit.jupiter.api.Assertions.*;

/**
 * An SPSC producer that stalls past the stuck claim timeout loses its claim to the consumer, which skips it. When the
 * producer wakes and claims again, it marks the old claim (it is no longer the latest) and clears header slots ahead
 * of its tail. In a small ring that clearing can reach the old claim's line a lap on: the mark must come first, so
 * that the clearing wipes it and the late commit finds no claim, rather than after, where it would sit ahead of the
 * tail and the late commit would turn it into a record the consumer reads a lap later, over another message's line.
 */
class SpscLateCommitTest
{
    static final int CAPACITY = 2048;
    static final int BODY_LENGTH = 24;
    static final int SLOT = RecordDescriptor.ALIGNMENT;
    static final int STALE_MARKER = 999;

    private final SpscRing ring = new SpscRing(new UnsafeBuffer(ByteBuffer.allocateDirect(FILE_HEADER_LENGTH)),
        new UnsafeBuffer(ByteBuffer.allocateDirect(CAPACITY)), 120, 0L, "late-commit");
    private final UnsafeBuffer body = new UnsafeBuffer(new byte[BODY_LENGTH]);
    private final List<Integer> delivered = new ArrayList<>();
    private int sent;

    @Test
    void shouldNotLetALateCommitOfASkippedClaimBecomeARecordALapOn()
    {
        // a full ring but one line, then one message read: the late claim's clearing is held back by the head
        final int filling = CAPACITY / SLOT - 1;
        for (int i = 0; i < filling; i++)
        {
            send();
        }
        assertEquals(1, ring.read(this::onMessage, 1));
        final int late = ring.tryClaim(1, BODY_LENGTH);
        assertEquals(filling * SLOT + RecordDescriptor.HEADER_LENGTH, late);
        ring.buffer().putInt(late, STALE_MARKER);

        // the producer stalls: the consumer reads the rest, then skips the claim (timeout 0)
        int polls = 0;
        while (ring.headPosition() != ring.tailPosition() && polls++ < 10_000)
        {
            ring.checkStuckOnNextRead();
            ring.read(this::onMessage, 100);
        }
        assertEquals(ring.tailPosition(), ring.headPosition(), "the stalled claim was not skipped");
        assertEquals(1, ring.recordsSkipped());

        // it wakes: a new claim, then the late commit, which must not publish anything
        final int next = ring.tryClaim(1, BODY_LENGTH);
        assertTrue(next > 0);
        ring.buffer().putInt(next, sent++);
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> ring.commit(late));
        assertTrue(ex.getMessage().contains("not a live claim"), ex.getMessage());
        ring.commit(next);

        // a lap of messages over the late claim's line: each delivered once, in order, and nothing else
        for (int i = 0; i < CAPACITY / SLOT + 2; i++)
        {
            send();
            ring.read(this::onMessage, 100);
        }
        while (ring.read(this::onMessage, 100) > 0)
        {
            // drain
        }
        final List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < sent; i++)
        {
            expected.add(i);
        }
        assertEquals(expected, delivered);
        assertEquals(1, ring.recordsSkipped());
    }

    /**
     * The producer holds two claims, Z (marked) and A (its latest, unmarked), and stalls past the timeout right after
     * Z's commit stores its header: the consumer reads Z and skips A. Z's commit then clears header slots ahead. That
     * clearing must not reach A's line a lap on: A's late commit is a blind store, and on a line cleared for the next
     * lap it became a record a lap later that nobody wrote (A's stale body, delivered with the tail short of it, and a
     * head stored past the tail, which every later attach refuses as corrupt). Every message sent after is delivered
     * once, in order, and nothing else.
     */
    @Test
    void shouldNotClearTheLatestClaimsLineALapOnWhileItIsUnmarked()
    {
        final int capacity = 1024;
        final HookedBuffer ringBuffer = new HookedBuffer(capacity);
        final SpscRing small = new SpscRing(new UnsafeBuffer(ByteBuffer.allocateDirect(FILE_HEADER_LENGTH)),
            ringBuffer, 120, 1L, "commit-window");
        final List<String> seen = new ArrayList<>();
        final io.conduit.MessageHandler handler = (typeId, buffer, offset, length) ->
            seen.add(typeId + ":" + buffer.getInt(offset));
        int sequence = 0;
        for (; sequence < 12; sequence++)
        {
            final int offset = small.tryClaim(1, BODY_LENGTH);
            small.buffer().putInt(offset, sequence);
            small.commit(offset);
        }
        final int z = small.tryClaim(1, BODY_LENGTH);
        small.buffer().putInt(z, sequence++);
        final int a = small.tryClaim(2, BODY_LENGTH); // the latest, unmarked; Z got its mark
        small.buffer().putInt(a, STALE_MARKER);
        assertEquals(12 * SLOT + RecordDescriptor.HEADER_LENGTH, z);
        assertEquals(13 * SLOT + RecordDescriptor.HEADER_LENGTH, a);

        ringBuffer.hookOffset = z - RecordDescriptor.HEADER_LENGTH;
        ringBuffer.hook = () ->
        {
            // the producer stalls here, past the timeout: the consumer reads Z, then skips A
            for (int i = 0; i < 1000 && small.headPosition() != small.tailPosition(); i++)
            {
                small.checkStuckOnNextRead();
                small.read(handler, 100);
            }
        };
        small.commit(z);
        assertEquals(1, small.recordsSkipped(), "A was skipped");
        small.commit(a); // late: a plain store, reported nowhere

        // a lap and more over A's line, the consumer keeping up
        while (small.tailPosition() < 3L * capacity)
        {
            final int offset = small.tryClaim(1, BODY_LENGTH);
            assertTrue(offset > 0);
            small.buffer().putInt(offset, sequence++);
            small.commit(offset);
            small.read(handler, 100);
            assertTrue(small.headPosition() <= small.tailPosition(), "head " + small.headPosition() + " past tail " +
                small.tailPosition());
        }
        while (small.read(handler, 100) > 0)
        {
            // drain
        }
        final List<String> expected = new ArrayList<>();
        for (int i = 0; i < sequence; i++)
        {
            expected.add("1:" + i);
        }
        assertEquals(expected, seen);
        assertEquals(1, small.recordsSkipped());
    }

    /**
     * docs/RINGS.md: a late commit of a claim that was no longer the producer's latest is reported. The next claim's
     * mark for it goes over its zero header slot with a compare-and-set, which fails on the consumer's padding, so
     * the commit finds that padding and throws IllegalStateException (it used to store the mark over the padding,
     * and the late commit then returned normally, the message lost unreported). Three laps after are delivered in
     * order.
     */
    @Test
    void shouldReportALateCommitOfAnEarlierSkippedClaim()
    {
        final int capacity = 64 * 1024;
        final SpscRing large = new SpscRing(new UnsafeBuffer(ByteBuffer.allocateDirect(FILE_HEADER_LENGTH)),
            new UnsafeBuffer(ByteBuffer.allocateDirect(capacity)), 120, 1L, "late-earlier");
        final List<Integer> seen = new ArrayList<>();
        final io.conduit.MessageHandler handler = (typeId, buffer, offset, length) -> seen.add(buffer.getInt(offset));
        final int a = large.tryClaim(1, BODY_LENGTH);
        large.buffer().putInt(a, STALE_MARKER);
        for (int i = 0; i < 1000 && large.headPosition() != large.tailPosition(); i++)
        {
            large.checkStuckOnNextRead();
            large.read(handler, 10);
        }
        assertEquals(1, large.recordsSkipped());
        final int b = large.tryClaim(1, BODY_LENGTH); // A is no longer the latest: it gets its mark, or would

        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> large.commit(a));
        assertTrue(ex.getMessage().startsWith("claim at offset=" + (a - RecordDescriptor.HEADER_LENGTH) +
            " is padding: the consumer skipped it"), ex.getMessage());
        large.buffer().putInt(b, 0);
        large.commit(b);
        int sequence = 1;
        for (int i = 0; i < 3 * capacity / SLOT; i++)
        {
            final int offset = large.tryClaim(1, BODY_LENGTH);
            assertTrue(offset > 0);
            large.buffer().putInt(offset, sequence++);
            large.commit(offset);
            large.read(handler, 10);
        }
        while (large.read(handler, 10) > 0)
        {
            // drain
        }
        final List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < sequence; i++)
        {
            expected.add(i);
        }
        assertEquals(expected, seen);
    }

    /**
     * A ring buffer that runs a hook once, right after a positive header is release-stored at one offset: the moment
     * a commit has published its record, for a test to stall the producer there.
     */
    static final class HookedBuffer extends UnsafeBuffer
    {
        int hookOffset = -1;
        Runnable hook;

        HookedBuffer(final int length)
        {
            super(ByteBuffer.allocateDirect(length));
        }

        @Override
        public void putLongRelease(final int index, final long value)
        {
            super.putLongRelease(index, value);
            if (index == hookOffset && (int)value > 0 && null != hook)
            {
                final Runnable run = hook;
                hook = null;
                run.run();
            }
        }
    }

    private void send()
    {
        body.putInt(0, sent);
        assertTrue(ring.offer(1, body, 0, BODY_LENGTH), "ring full at message " + sent);
        sent++;
    }

    private void onMessage(final int typeId, final org.agrona.MutableDirectBuffer buffer, final int offset,
        final int length)
    {
        assertEquals(BODY_LENGTH, length);
        delivered.add(buffer.getInt(offset));
    }
}

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

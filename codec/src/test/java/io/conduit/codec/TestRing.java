package io.conduit.codec;

import io.conduit.ControlledMessageHandler;
import io.conduit.MessageHandler;
import io.conduit.ring.Ring;
import io.conduit.ring.RingKind;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * A single-threaded {@link Ring} over an off-heap buffer, for codec tests that need no channel file: records are an
 * 8-byte header (frame length, type id) and a body, 8-byte aligned, with a padding record at the wrap point. A claim
 * holds a negative frame length until committed; an abort turns it into padding. Consumed records are zeroed.
 */
final class TestRing implements Ring
{
    private static final int RECORD_HEADER_LENGTH = 8;
    private static final int PADDING_TYPE_ID = -1;

    private final UnsafeBuffer buffer;
    private final int capacity;
    private final int maxMessageLength;
    private long head;
    private long tail;

    private MessageHandler readHandler;
    private final ControlledMessageHandler readAdapter = (typeId, buffer, offset, length) ->
    {
        readHandler.onMessage(typeId, buffer, offset, length);
        return ControlledMessageHandler.Action.CONTINUE;
    };

    TestRing(final int capacity, final int maxMessageLength)
    {
        this(new UnsafeBuffer(ByteBuffer.allocateDirect(capacity)), maxMessageLength);
    }

    /**
     * @param buffer           the ring's buffer: a plain {@link UnsafeBuffer}, or a subclass, to take the paths the
     *                         codec keeps for buffers that check or record their own accesses.
     * @param maxMessageLength longest body.
     */
    TestRing(final UnsafeBuffer buffer, final int maxMessageLength)
    {
        final int capacity = buffer.capacity();
        if (!BitUtil.isPowerOfTwo(capacity) || maxMessageLength > capacity / 2)
        {
            throw new IllegalArgumentException("capacity=" + capacity + " maxMessageLength=" + maxMessageLength);
        }
        this.buffer = buffer;
        this.capacity = capacity;
        this.maxMessageLength = maxMessageLength;
    }

    @Override
    public RingKind kind()
    {
        return RingKind.SPSC;
    }

    @Override
    public int capacity()
    {
        return capacity;
    }

    @Override
    public int maxMessageLength()
    {
        return maxMessageLength;
    }

    @Override
    public AtomicBuffer buffer()
    {
        return buffer;
    }

    @Override
    public int tryClaim(final int typeId, final int length)
    {
        if (typeId < 1 || length < 0 || length > maxMessageLength)
        {
            throw new IllegalArgumentException("typeId=" + typeId + " length=" + length);
        }
        final int recordLength = BitUtil.align(RECORD_HEADER_LENGTH + length, RECORD_HEADER_LENGTH);
        int index = (int)(tail & (capacity - 1));
        final int toEnd = capacity - index;
        final int padding = recordLength > toEnd ? toEnd : 0;
        if (padding + recordLength > capacity - (int)(tail - head))
        {
            return INSUFFICIENT_CAPACITY;
        }
        if (padding > 0)
        {
            putHeader(index, padding, PADDING_TYPE_ID);
            tail += padding;
            index = 0;
        }
        putHeader(index, -(RECORD_HEADER_LENGTH + length), typeId);
        tail += recordLength;
        return index + RECORD_HEADER_LENGTH;
    }

    @Override
    public void commit(final int offset)
    {
        final int index = claimIndex(offset);
        buffer.putInt(index, -buffer.getInt(index));
    }

    @Override
    public void abort(final int offset)
    {
        final int index = claimIndex(offset);
        putHeader(index, -buffer.getInt(index), PADDING_TYPE_ID);
    }

    @Override
    public boolean offer(final int typeId, final DirectBuffer source, final int offset, final int length)
    {
        final int claim = tryClaim(typeId, length);
        if (claim < 0)
        {
            return false;
        }
        buffer.putBytes(claim, source, offset, length);
        commit(claim);
        return true;
    }

    @Override
    public int read(final MessageHandler handler, final int limit)
    {
        // through a reused adapter: a capturing lambda here would allocate on every read
        readHandler = handler;
        try
        {
            return controlledRead(readAdapter, limit);
        }
        finally
        {
            readHandler = null;
        }
    }

    @Override
    public int controlledRead(final ControlledMessageHandler handler, final int limit)
    {
        int count = 0;
        while (count < limit && head < tail)
        {
            final int index = (int)(head & (capacity - 1));
            final int frameLength = buffer.getInt(index);
            if (frameLength <= 0)
            {
                break;
            }
            final int typeId = buffer.getInt(index + 4);
            final int recordLength = BitUtil.align(frameLength, RECORD_HEADER_LENGTH);
            if (PADDING_TYPE_ID != typeId)
            {
                final ControlledMessageHandler.Action action = handler.onMessage(
                    typeId, buffer, index + RECORD_HEADER_LENGTH, frameLength - RECORD_HEADER_LENGTH);
                if (ControlledMessageHandler.Action.ABORT == action)
                {
                    break;
                }
                count++;
                consume(index, recordLength);
                if (ControlledMessageHandler.Action.BREAK == action)
                {
                    break;
                }
            }
            else
            {
                consume(index, recordLength);
            }
        }
        return count;
    }

    @Override
    public int size()
    {
        return (int)(tail - head);
    }

    @Override
    public long tailPosition()
    {
        return tail;
    }

    @Override
    public long headPosition()
    {
        return head;
    }

    private void consume(final int index, final int recordLength)
    {
        buffer.setMemory(index, recordLength, (byte)0);
        head += recordLength;
    }

    private int claimIndex(final int offset)
    {
        final int index = offset - RECORD_HEADER_LENGTH;
        if (index < 0 || index >= capacity || buffer.getInt(index) >= 0)
        {
            throw new IllegalArgumentException("not a live claim: offset=" + offset);
        }
        return index;
    }

    private void putHeader(final int index, final int frameLength, final int typeId)
    {
        buffer.putInt(index, frameLength);
        buffer.putInt(index + 4, typeId);
    }
}

package io.conduit.ring;

import org.agrona.concurrent.AtomicBuffer;

import static io.conduit.file.ChannelFileDescriptor.*;
import static io.conduit.ring.RecordDescriptor.*;

/**
 * A ring with one producer and one consumer, usually in two processes.
 * <p>
 * Consumed bytes are never zeroed. Instead the producer zeroes the header slot just past each claim before it marks
 * the claim, so the slot at the tail always reads 0 until the next record is published there; the consumer touches
 * nothing but its head. A claim writes: the next slot's zero, the claim mark (negative length), the tail; a commit
 * writes the header with the positive length, last.
 * <p>
 * Threading: one producer thread (in one process) and one consumer thread (in one process, maybe another). Each
 * role is registered by pid in the header when first used; a second live process taking the same role is refused.
 * <p>
 * Memory ordering:
 * <ul>
 *     <li>next-slot zero, then claim-mark release → header acquire in read: the reader never sees the previous
 *     lap's bytes past a record;</li>
 *     <li>body stores, then header release in commit → header acquire in read;</li>
 *     <li>head release in read → head acquire when the producer's cached head runs out: freed bytes may be reused.
 *     </li>
 * </ul>
 * If the producer dies between claim and commit, the consumer skips the claim at once (the producer pid is dead) or
 * after the stuck claim timeout; a restarted producer turns any claim it finds at the tail into padding first.
 */
public final class SpscRing extends AbstractRing
{
    /**
     * Wrap a mapped SPSC ring. Use {@link io.conduit.file.ChannelFile#ring()} rather than this.
     *
     * @param header the channel file header.
     * @param buffer the ring region.
     * @param maxMessageLength longest body.
     * @param stuckClaimTimeoutNs time after which a live producer's uncommitted claim is skipped.
     * @param fileName file name for messages.
     */
    public SpscRing(
        final AtomicBuffer header,
        final AtomicBuffer buffer,
        final int maxMessageLength,
        final long stuckClaimTimeoutNs,
        final String fileName)
    {
        super(header, buffer, maxMessageLength, stuckClaimTimeoutNs, fileName);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public RingKind kind()
    {
        return RingKind.SPSC;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int tryClaim(final int typeId, final int length)
    {
        checkClaimArguments(typeId, length);
        if (!producerAttached)
        {
            attachProducer();
        }
        final AtomicBuffer buffer = this.buffer;
        final int capacity = this.capacity;
        final long tail = producerTail;
        final int frameLength = length + HEADER_LENGTH;
        final int alignedLength = alignedLength(frameLength);
        final int offset = (int)tail & mask;
        final int toEnd = capacity - offset;
        final int padding = alignedLength > toEnd ? toEnd : 0;
        // the claim, plus the next header slot it zeroes
        final long end = tail + padding + alignedLength + HEADER_LENGTH;
        if (end - headCache > capacity && end - refreshHeadCache(tail) > capacity)
        {
            header.getAndAddLong(BACK_PRESSURE_EVENTS_OFFSET, 1);
            return INSUFFICIENT_CAPACITY;
        }

        final int recordOffset = 0 == padding ? offset : 0;
        buffer.putLong((recordOffset + alignedLength) & (capacity - 1), 0L);
        if (0 == padding)
        {
            // release: publishes the next slot's zero before the mark; pairs with the header acquire in read
            buffer.putLongRelease(recordOffset, makeHeader(-frameLength, typeId));
        }
        else
        {
            buffer.putLong(0, makeHeader(-frameLength, typeId));
            // release: publishes the zero and the mark at offset 0 before the reader can wrap to them
            buffer.putLongRelease(offset, makeHeader(padding, PADDING_TYPE_ID));
        }
        final long newTail = tail + padding + alignedLength;
        producerTail = newTail;
        // release: a restarted producer or size() sees the claim; pairs with tail acquire in attach and size
        header.putLongRelease(TAIL_POSITION_OFFSET, newTail);
        return recordOffset + HEADER_LENGTH;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void commit(final int offset)
    {
        final long claim = checkedClaimHeader(offset);
        // release: publishes the body; pairs with the header acquire in read
        buffer.putLongRelease(offset - HEADER_LENGTH, makeHeader(-frameLength(claim), typeId(claim)));
        header.putLongRelease(MESSAGES_SENT_OFFSET, ++messagesSent);
        signalConsumer();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void abort(final int offset)
    {
        final long claim = checkedClaimHeader(offset);
        // release: the reader skips the record as padding
        buffer.putLongRelease(offset - HEADER_LENGTH, makeHeader(-frameLength(claim), PADDING_TYPE_ID));
        signalConsumer();
    }

    @Override
    void onHeadStored(final long position)
    {
        signalProducers();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public long freedPosition()
    {
        return header.getLongVolatile(HEAD_POSITION_OFFSET);
    }

    @Override
    boolean isClaimerDead(final long position)
    {
        final long producerPid = header.getLongVolatile(PRODUCER_PID_OFFSET);
        return 0 == producerPid || !isAlive(producerPid);
    }

    @Override
    void releaseProducer()
    {
        header.compareAndSetLong(PRODUCER_PID_OFFSET, pid, 0);
    }

    private long refreshHeadCache(final long tail)
    {
        final long head = header.getLongVolatile(HEAD_POSITION_OFFSET); // acquire: pairs with head release in read
        checkPositions(head, tail);
        headCache = head;
        return head;
    }

    /**
     * Take the producer role, load the tail, and turn every claim a dead predecessor left (below the tail, or at
     * it with the tail not yet moved) into padding, counted as skipped: the role is exclusive, so no live claim of
     * another producer can be among them.
     */
    private void attachProducer()
    {
        claimRole(PRODUCER_PID_OFFSET, "producer");
        try
        {
            header.putLongRelease(PRODUCER_HEARTBEAT_OFFSET, System.currentTimeMillis());
            final long head = header.getLongVolatile(HEAD_POSITION_OFFSET);
            final long tail = recoverClaims(head, header.getLongVolatile(TAIL_POSITION_OFFSET));
            producerTail = tail;
            header.putLongRelease(TAIL_POSITION_OFFSET, tail);
            headCache = head;
            messagesSent = header.getLongVolatile(MESSAGES_SENT_OFFSET);
            producerAttached = true;
        }
        catch (final RuntimeException ex)
        {
            header.compareAndSetLong(PRODUCER_PID_OFFSET, pid, 0); // a refused producer holds no role
            throw ex;
        }
    }

    private long recoverClaims(final long head, final long storedTail)
    {
        checkPositions(head, storedTail);
        long position = head;
        for (long scanned = 0; scanned <= capacity; )
        {
            final int offset = (int)position & mask;
            final long word = buffer.getLongVolatile(offset);
            final int frameLength = frameLength(word);
            if (0 == frameLength)
            {
                if (position < storedTail)
                {
                    throw corrupt("record frameLength below the tail", "non-zero", 0, position);
                }
                return position;
            }
            final int length = Math.abs(frameLength);
            if (length < HEADER_LENGTH || length > capacity - offset)
            {
                throw corrupt("record frameLength", "in [" + HEADER_LENGTH + ", " + (capacity - offset) + "]",
                    frameLength, position);
            }
            if (frameLength < 0 &&
                buffer.compareAndSetLong(offset, word, makeHeader(length, PADDING_TYPE_ID)))
            {
                header.getAndAddLong(RECORDS_SKIPPED_OFFSET, 1);
            }
            position += alignedLength(length);
            scanned += alignedLength(length);
        }
        throw corrupt("records from head", "a zero header within capacity=" + capacity, position - head, head);
    }
}

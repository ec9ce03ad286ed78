package io.conduit.ring;

import org.agrona.concurrent.AtomicBuffer;

import static io.conduit.file.ChannelFileDescriptor.*;
import static io.conduit.ring.RecordDescriptor.*;

/**
 * A ring with one producer and one consumer, usually in two processes.
 * <p>
 * The consumer writes nothing into the ring but padding over a claim it skips: consumed bytes are never zeroed on
 * its path. Instead the producer clears the header slot of every line ahead of its tail, a span at a time
 * ({@link #ZERO_AHEAD_LENGTH}, once the consumer has passed it), so the header slot at the tail always reads 0 until
 * a record is published there, and the line the consumer polls is written once per message, by the commit. The
 * latest claim carries no mark: if the producer dies with it, its extent is {@code [claim, tail)}, since the tail is
 * stored at every claim. An earlier claim still open when another is made is marked then (negative length), so every
 * claim stays recoverable.
 * <p>
 * Threading: one producer thread (in one process) and one consumer thread (in one process, maybe another). Each
 * role is registered by pid in the header when first used; a second live process taking the same role is refused.
 * <p>
 * Memory ordering:
 * <ul>
 *     <li>header slots cleared ahead, then body stores, then header release in commit → header acquire in read: the
 *     reader sees neither a previous lap's header on the next record's line nor a partial body;</li>
 *     <li>padding release at the wrap point, after the header slots from offset 0 are cleared and after a tail
 *     that covers it → header acquire in read: a head is never stored past the stored tail;</li>
 *     <li>tail release in tryClaim → tail acquire in a stuck check or a restarted producer: the claim's extent;</li>
 *     <li>head release in read → head acquire when the producer's cached head runs out: freed lines may be cleared
 *     and reused.</li>
 * </ul>
 * If the producer dies between claim and commit, the consumer skips the claim at once (the producer pid is dead) or
 * after the stuck claim timeout; a restarted producer turns every claim left between head and tail into padding.
 */
public final class SpscRing extends AbstractRing
{
    /** Bytes ahead of its tail whose lines' header slots the producer clears at a time. */
    public static final int ZERO_AHEAD_LENGTH = 2048;


    /** Bytes kept cleared ahead of the tail after each commit: enough for the largest next claim. */
    private final int zeroReserve;

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
        zeroReserve = Math.min(capacity >> 2, alignedLength(maxFrameLength) + HEADER_LENGTH + ZERO_AHEAD_LENGTH);
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
        final RingMemory ringMemory = this.ringMemory;
        final int capacity = this.capacity;
        final long tail = producerTail;
        final int frameLength = length + HEADER_LENGTH;
        final int alignedLength = alignedLength(frameLength);
        final int offset = (int)tail & mask;
        final int toEnd = capacity - offset;
        final int padding = alignedLength > toEnd ? toEnd : 0;
        final int recordOffset = 0 == padding ? offset : 0;
        final long newTail = tail + padding + alignedLength;
        final int pendingOffset = this.pendingOffset;
        if (pendingOffset >= 0)
        {
            // a claim still open when another may be made gets its mark, so it stays recoverable. Over the zero its
            // header slot holds until then, never over the padding of the consumer's skip (timeout): a late commit
            // of it then finds that padding and says so. Before the clearing below, which may now reach its line a
            // lap on (zeroAhead holds back from that line only while the claim is unmarked)
            ringMemory.compareAndSetLong(pendingOffset, 0L, pendingMark);
            this.pendingOffset = -1;
        }
        // the header slot after the claim must be zero before the claim is published
        if (newTail + HEADER_LENGTH > zeroLimit && !zeroAhead(newTail + HEADER_LENGTH))
        {
            header.getAndAddLong(BACK_PRESSURE_EVENTS_OFFSET, 1);
            return INSUFFICIENT_CAPACITY;
        }

        if (0 != padding)
        {
            publishWrapPadding(offset, tail, padding);
        }
        this.pendingOffset = recordOffset;
        this.pendingMark = makeHeader(-frameLength, typeId);
        producerTail = newTail;
        // release: the claim's extent for a stuck check or a restarted producer; pairs with tail acquire there
        headerMemory.putLongRelease(TAIL_POSITION_OFFSET, newTail);
        return recordOffset + HEADER_LENGTH;
    }

    /**
     * Publish the padding from {@code offset} to the ring's end, once a lap. First a tail that covers the padding
     * alone, so that a producer killed before the next store leaves an unmarked claim of exactly the padding,
     * {@code [offset, ring's end)}, skipped as any dead claim, and one killed after it leaves the padding with the tail
     * at its end. Published before its tail, the padding could be read and passed by the consumer with the tail still
     * short of it: a head past the tail, which every later attach refuses as corrupt (SpscWrapKillTest). A method of
     * its own, bigger than the JIT inlines at a call site this rare, so the claim's path is compiled as without it.
     */
    private void publishWrapPadding(final int offset, final long tail, final int padding)
    {
        if (offset + padding != capacity)
        {
            throw new IllegalStateException("wrap padding must end at the ring's end: offset=" + offset +
                " padding=" + padding + " capacity=" + capacity);
        }
        // release: the tail first; pairs with the tail acquire in a stuck check or a restarted producer
        headerMemory.putLongRelease(TAIL_POSITION_OFFSET, tail + padding);
        // release: publishes the wrap; the header slots from offset 0 were cleared ahead before it
        ringMemory.putLongRelease(offset, makeHeader(padding, PADDING_TYPE_ID));
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void commit(final int offset)
    {
        final long claim = takeClaim(offset);
        // release: publishes the body; pairs with the header acquire in read
        ringMemory.putLongRelease(offset - HEADER_LENGTH, makeHeader(-frameLength(claim), typeId(claim)));
        headerMemory.putLongRelease(MESSAGES_SENT_OFFSET, ++messagesSent);
        signalConsumer();
        if (zeroLimit - producerTail < zeroReserve)
        {
            // clear for the next claims now, after publishing, when a round trip is waiting on the peer anyway
            zeroAhead(producerTail + zeroReserve);
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void abort(final int offset)
    {
        final long claim = takeClaim(offset);
        // release: the reader skips the record as padding
        ringMemory.putLongRelease(offset - HEADER_LENGTH, makeHeader(-frameLength(claim), PADDING_TYPE_ID));
        signalConsumer();
    }

    @Override
    boolean isClaimerDead(final long position)
    {
        final long producerPid = header.getLongVolatile(PRODUCER_PID_OFFSET);
        return 0 == producerPid || !ProcessIdentity.isAlive(producerPid);
    }

    @Override
    void onHeadStored(final long position)
    {
        signalProducers();
    }

    @Override
    void onIdle(final long position)
    {
        if (0 == (++idlePolls & STUCK_CHECK_MASK) &&
            0 == buffer.getLongVolatile((int)position & mask) &&
            header.getLongVolatile(TAIL_POSITION_OFFSET) > position &&
            isUnmarkedClaimStuck(position))
        {
            skipUnmarkedClaim(position);
        }
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
    void releaseProducer()
    {
        releaseRole(PRODUCER_PID_OFFSET);
    }

    /**
     * The latest claim, unmarked, at the head: its extent is {@code [head, tail)}.
     */
    private void skipUnmarkedClaim(final long position)
    {
        final long tail = header.getLongVolatile(TAIL_POSITION_OFFSET);
        final int offset = (int)position & mask;
        final long length = tail - position;
        if (length < HEADER_LENGTH || length > capacity - offset)
        {
            if (0 != ringMemory.getLongVolatile(offset))
            {
                // the producer made another claim meanwhile, marking this one before storing the tail just read:
                // the tail now covers both, and the mark, seen at the next read, says where this one ends
                return;
            }
            throw corrupt("unmarked claim length (tail - head)", "in [" + HEADER_LENGTH + ", " + (capacity - offset) +
                "]", length, position);
        }
        skip(position, offset, 0L, (int)length);
    }

    /**
     * The header of a claim being committed or aborted, from memory if it is the pending claim, else from its mark.
     */
    private long takeClaim(final int offset)
    {
        final int recordOffset = offset - HEADER_LENGTH;
        if (recordOffset == pendingOffset && recordOffset >= 0) // -1 means none: commit(7) is no claim
        {
            // No load of the header here: the consumer spins on this line, and reading it before the commit's store
            // cost a third of the round trip. So a late commit of a claim the consumer skipped after the timeout is
            // not reported on SPSC (docs/LAYOUT.md); the skip is counted.
            pendingOffset = -1;
            return pendingMark;
        }
        return checkedClaimHeader(offset);
    }

    /**
     * Clear the header slot of every line ahead of the tail, a span at a time, as far as the consumer has freed it.
     * Records start on lines, and a reader reads nothing of a record but its header and its body, so the first 8
     * bytes of each line are all that must read 0 until a record is published there: one plain store per line, in
     * place of zeroing every byte through a native call per span (docs/LAYOUT.md has the measured difference). The
     * consumer's head is read only when the cached one does not free far enough, so its line is
     * not pulled over once per span.
     *
     * @param required the position below which every line's header slot must be zero.
     * @return false if the consumer has not freed enough; as much as it has freed is cleared anyway.
     */
    private boolean zeroAhead(final long required)
    {
        final long from = zeroLimit;
        // every bound is a line start: head, tail and zeroLimit are multiples of ALIGNMENT, and so is the rounding
        final long target = Math.max((required + ALIGNMENT - 1) & -ALIGNMENT, from + ZERO_AHEAD_LENGTH);
        long limit = headCache + capacity;
        if (target > limit)
        {
            // acquire: pairs with head release in read
            final long head = headerMemory.getLongVolatile(HEAD_POSITION_OFFSET);
            checkPositions(head, producerTail);
            headCache = head;
            limit = head + capacity;
        }
        if (pendingOffset >= 0)
        {
            // never the unmarked latest claim's line a lap on: if the consumer skipped the claim (timeout), its late
            // mark or commit is a blind store, and on a line cleared for the next lap it would sit ahead of the tail,
            // a record the consumer reads a lap later that nobody wrote (the clearing of a commit of an earlier claim
            // can come between the skip and that store). Tighter than the head only after such a skip
            limit = Math.min(limit, producerTail - alignedLength(-frameLength(pendingMark)) + capacity);
        }
        final long to = Math.min(limit, target);
        if (to <= from)
        {
            return required <= from;
        }
        final RingMemory ringMemory = this.ringMemory;
        final int mask = this.mask;
        for (long position = from; position < to; position += ALIGNMENT)
        {
            ringMemory.putLong((int)position & mask, 0L);
        }
        zeroLimit = to;
        return required <= to;
    }

    /**
     * Take the producer role, load the tail, and turn every claim a dead predecessor left between head and tail
     * into padding, counted as skipped: the role is exclusive, so no live claim of another producer is among them.
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
            zeroLimit = tail;
            pendingOffset = -1;
            header.putLongRelease(TAIL_POSITION_OFFSET, tail);
            // one producer: a count left by a predecessor killed asleep in send would cost every batch a wake-up
            // call (also when the pid is this process's: a restarted process may have its dead predecessor's pid)
            header.putIntVolatile(SPACE_WAITERS_OFFSET, 0);
            headCache = head;
            messagesSent = header.getLongVolatile(MESSAGES_SENT_OFFSET);
            noteWaker(DATA_DEAF_WAKERS_OFFSET, true);
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
        while (position - head <= capacity)
        {
            final int offset = (int)position & mask;
            final long word = buffer.getLongVolatile(offset);
            int length = Math.abs(frameLength(word));
            if (0 == word)
            {
                if (position >= storedTail)
                {
                    return position;
                }
                length = (int)Math.min(Integer.MAX_VALUE, storedTail - position); // the unmarked latest claim
            }
            if (length < HEADER_LENGTH || length > capacity - offset)
            {
                throw corrupt("record frameLength", "in [" + HEADER_LENGTH + ", " + (capacity - offset) + "]",
                    length, position);
            }
            // every record ends at or below the stored tail: the predecessor stored it at each claim, before the
            // claim's mark or record. The one exception is wrap padding stored at the tail, to the ring's end, by an
            // earlier build, which stored it before its tail; a record past the tail would raise it over bytes of an
            // earlier lap, for the consumer to read as messages
            final long end = position + alignedLength(length);
            if (end > storedTail && !(position == storedTail && PADDING_TYPE_ID == typeId(word) &&
                frameLength(word) > 0 && capacity == offset + length))
            {
                throw corrupt("record end", "at most tailPosition=" + storedTail, end, position);
            }
            if (frameLength(word) <= 0 &&
                buffer.compareAndSetLong(offset, word, makeHeader(length, PADDING_TYPE_ID)))
            {
                header.getAndAddLong(RECORDS_SKIPPED_OFFSET, 1);
            }
            position += alignedLength(length);
        }
        throw corrupt("records from head", "a zero header within capacity=" + capacity, position - head, head);
    }
}
